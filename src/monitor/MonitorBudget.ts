/** Settings of a {@link MonitorBudget}. */
export interface MonitorBudgetOptions {
  /**
   * Largest share of inference time that monitoring may take under sustained load. Default 0.02 (2 %).
   * `Infinity` sketches every row whatever it costs.
   */
  readonly share?: number;
  /**
   * Sketching time (ms) available before the share applies: the bucket starts full and refills at `share`
   * of inference time, so sporadic traffic is always sketched in full. Default 20 ms, about 1,500 batches of
   * a small model's 64 rows.
   */
  readonly burstMs?: number;
}

/** Fewest rows sketched from a batch under the budget (unless the batch is smaller). */
export const MIN_SAMPLE = 16;

/**
 * Keeps monitoring within a share of inference time: a token bucket of milliseconds. Each batch earns
 * `share × inferenceMs` and is charged all the monitoring it measurably cost: the exact bookkeeping every
 * batch gets (every prediction counted, its class counted, checked for NaN, kept for feedback, its repairs
 * counted) and the sketching. Only sketching is rationed: when the bucket runs low (sustained load on a
 * model so small that sketching a row costs more than `share` of predicting it), a systematic sample of
 * at least {@link MIN_SAMPLE} rows is sketched from a batch once the bucket can pay for it, and none in
 * between; the window says how many rows its sketches saw, so drift tests use the true sample size
 * (sampling lowers their power, never their calibration).
 */
export class MonitorBudget {
  readonly share: number;
  readonly burstMs: number;
  private credit: number;
  /** Measured sketching cost per sketched row (ms), smoothed; 0 until first measured. */
  private msPerRow = 0;
  /** Start of the next systematic sample, in [0, 1): moves on each batch so no row position is favoured. */
  private phase = 0;

  constructor(options: MonitorBudgetOptions = {}) {
    this.share = options.share ?? 0.02;
    this.burstMs = options.burstMs ?? 20;
    this.credit = this.burstMs;
  }

  /**
   * How many of a batch's `rows` to sketch now: all of them while the bucket pays for it, else as many as
   * it pays for if that is at least {@link MIN_SAMPLE} (or the whole batch, if smaller), else none. Samples
   * of a few rows per batch would cost mostly per-batch set-up and could not teach the cost of a row.
   */
  rowsToSketch(rows: number): number {
    let k = rows;
    if (this.share !== Infinity && this.msPerRow > 0 && this.credit < rows * this.msPerRow) {
      const affordable = Math.floor(this.credit / this.msPerRow);
      k = affordable >= Math.min(rows, MIN_SAMPLE) ? Math.min(rows, affordable) : 0;
    }
    // Their estimated cost is taken now: sketching runs after the answer, and batches decided meanwhile must
    // not spend the same credit again. `account` settles the difference.
    this.reservedMs = k * this.msPerRow;
    this.credit -= this.reservedMs;
    return k;
  }

  /** What the last {@link MonitorBudget.rowsToSketch} took from the bucket ahead; give it back to `account`. */
  reservedMs = 0;

  /**
   * Indices of `count` rows out of `rows`, evenly spread with a moving start (systematic sampling), into
   * `out` (which must hold `count`).
   */
  sample(rows: number, count: number, out: Int32Array): Int32Array {
    const step = rows / count;
    for (let i = 0; i < count; i++) out[i] = Math.min(rows - 1, Math.floor((i + this.phase) * step));
    // golden-ratio increments cover [0, 1) evenly over successive batches
    this.phase = (this.phase + 0.6180339887498949) % 1;
    return out;
  }

  /**
   * Credits a batch's inference time and charges all its monitoring (`monitorMs`); `sketchMs` of it was
   * sketching `sketched` rows (default: all of it), for which `reservedMs` was taken ahead.
   */
  account(inferenceMs: number, monitorMs: number, sketched: number, sketchMs = monitorMs, reservedMs = 0): void {
    // Per-row cost is learnt from every sample: samples are never a few rows of a big batch (see
    // rowsToSketch), whose time, mostly per-batch set-up, would look like an expensive row and starve the
    // sample further; a small batch sketched whole is charged its set-up per row, which errs on the safe side.
    if (sketched > 0) {
      // Zeros count once a cost has been seen: coarse timers (100 µs with jitter outside cross-origin
      // isolation) read short work as 0 or 0.1 ms, which averages out only if both are averaged.
      // One slow sample (a GC pause or the OS taking the core in the middle of it) moves the estimate at
      // most 4× its weight, or the budget would wait on it for many batches.
      const perRow = this.msPerRow === 0 ? sketchMs / sketched : Math.min(sketchMs / sketched, 4 * this.msPerRow);
      this.msPerRow = this.msPerRow === 0 ? perRow : 0.9 * this.msPerRow + 0.1 * perRow;
    }
    if (this.share === Infinity) return;
    this.credit += reservedMs;
    // Debt is repaid (the share holds on average, also through a timer that reads short work as 0 or 5 µs),
    // up to a twentieth of the burst (1 ms by default: 50 ms of inference repay it) or four samples' worth:
    // a load whose bookkeeping alone outruns the share, or a sample that a GC pause or the OS made slow by
    // more, must not starve sketching long after.
    const mostDebt = Math.max(this.burstMs / 20, 4 * MIN_SAMPLE * this.msPerRow);
    this.credit = Math.min(this.burstMs, Math.max(-mostDebt, this.credit + this.share * inferenceMs - monitorMs));
  }
}
