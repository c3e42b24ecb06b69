/** Settings of a {@link MonitorBudget}. */
export interface MonitorBudgetOptions {
  /**
   * Largest share of inference time that sketching may take under sustained load. Default 0.02 (2 %).
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

/**
 * Keeps sketching within a share of inference time: a token bucket of milliseconds. Each batch earns
 * `share × inferenceMs`; sketching spends what it measurably cost. When the bucket runs low (sustained
 * load on a model so small that sketching a row costs more than `share` of predicting it) only a
 * systematic sample of each batch's rows is sketched: every prediction is still counted, its class
 * counted, checked for NaN, kept for feedback and its repairs counted (that bookkeeping is per batch and
 * not rationed), and the window says how many rows its sketches saw, so drift tests use the true sample
 * size (sampling lowers their power, never their calibration).
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

  /** How many of a batch's `rows` to sketch now. */
  rowsToSketch(rows: number): number {
    if (this.share === Infinity || this.msPerRow === 0 || this.credit >= rows * this.msPerRow) return rows;
    return Math.max(0, Math.min(rows, Math.floor(this.credit / this.msPerRow)));
  }

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

  /** Credits a batch's inference time and charges what sketching it cost (`sketched` rows of it). */
  account(inferenceMs: number, monitorMs: number, sketched: number): void {
    // Per-row cost is learnt from samples of 16+ rows: a small sample's time is mostly the per-batch part
    // of sketching (column set-up, the class count of every row), which divided by few rows would look like
    // an expensive row and starve the sample further.
    if (sketched >= 16) {
      // Zeros count once a cost has been seen: coarse timers (100 µs with jitter outside cross-origin
      // isolation) read short work as 0 or 0.1 ms, which averages out only if both are averaged.
      const perRow = monitorMs / sketched;
      this.msPerRow = this.msPerRow === 0 ? perRow : 0.9 * this.msPerRow + 0.1 * perRow;
    }
    if (this.share === Infinity) return;
    this.credit = Math.min(this.burstMs, this.credit + this.share * inferenceMs - monitorMs);
  }
}
