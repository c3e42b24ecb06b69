/** The id prefix of batch `seq` of a worker: row `i`'s prediction id is `${prefix}:${i}`. */
export function batchIdPrefix(base: string, seq: number): string {
  return `${base}-${seq.toString(36)}`;
}

/** The worker base, batch number and row of a prediction id made with {@link batchIdPrefix}; undefined for any other id. */
export function predictionIdParts(predictionId: string): { base: string; seq: number; row: number } | undefined {
  const colon = predictionId.lastIndexOf(':');
  const dash = predictionId.lastIndexOf('-', colon);
  if (colon < 0 || dash <= 0) return undefined;
  const digits = predictionId.slice(dash + 1, colon);
  const rowText = predictionId.slice(colon + 1);
  if (!/^[0-9a-z]+$/.test(digits) || !/^[0-9]+$/.test(rowText)) return undefined;
  const seq = Number.parseInt(digits, 36);
  const row = Number(rowText);
  return Number.isSafeInteger(seq) && Number.isSafeInteger(row) ? { base: predictionId.slice(0, dash), seq, row } : undefined;
}

/**
 * Every batch a {@link RecentPredictions} keeps, oldest first, by column (batch `i` is entry `i` of each;
 * its scores are the next `rows[i] × widths[i]` floats of `scores`): typed arrays, so a handoff moves them
 * between workers by transfer, with no per-batch object to clone on the page on the way.
 */
export interface RecentSnapshot<V> {
  readonly seqs: Float64Array;
  readonly windowStarts: Float64Array;
  readonly ats: Float64Array;
  readonly rows: Int32Array;
  readonly widths: Int32Array;
  readonly versions: readonly V[];
  readonly scores: Float32Array;
}

/** What {@link RecentPredictions.get} finds for a prediction. */
export interface RecentPrediction<V> {
  readonly version: V;
  /** Start of the monitoring window the prediction was made in. */
  readonly windowStart: number;
  /** The prediction's scores (a view: read it before the next `add`). */
  readonly scores: Float32Array;
}

/**
 * The scores of recent predictions, kept so late labels can join them (log loss and Brier need the
 * probabilities, not just the class), bounded by rows and by age. The worker adds one batch per
 * prediction call, so this is on the hot path: the scores go into one ring of floats written in order
 * (a batch's copy lands next to the previous one's, in cache, instead of in one of hundreds of separate
 * buffers), batches are found by number in an array, and nothing is allocated per batch.
 */
export class RecentPredictions<V> {
  private data: Float32Array;
  /** Next float of `data` to write. */
  private write = 0;
  // Batches, by slot = seq & mask: where their scores are, their shape and when they were made.
  private readonly seqs: Float64Array;
  private readonly offsets: Int32Array;
  private readonly rows: Int32Array;
  private readonly widths: Int32Array;
  private readonly ats: Float64Array;
  private readonly windowStarts: Float64Array;
  private readonly versions: (V | undefined)[];
  // The live batches' slots in the order they were added (the order their scores sit in `data`).
  private readonly order: Int32Array;
  private head = 0;
  private live = 0;
  private liveRows = 0;
  private readonly mask: number;

  /**
   * @param maxRows Most predictions kept (the oldest batches go first).
   * @param maxAgeMs Batches older than this are forgotten when the next one is added.
   */
  constructor(
    readonly maxRows = 10_000,
    readonly maxAgeMs = 86_400_000,
  ) {
    // every batch has a row, so maxRows batches at most: slots for all of them
    let slots = 16;
    while (slots < maxRows) slots *= 2;
    this.mask = slots - 1;
    this.seqs = new Float64Array(slots).fill(-1);
    this.offsets = new Int32Array(slots);
    this.rows = new Int32Array(slots);
    this.widths = new Int32Array(slots);
    this.ats = new Float64Array(slots);
    this.windowStarts = new Float64Array(slots);
    this.versions = new Array(slots);
    this.order = new Int32Array(slots);
    this.data = new Float32Array(0);
  }

  /** Keeps batch `seq`'s `rows × width` scores (copied from the start of `scores`). */
  add(seq: number, version: V, windowStart: number, at: number, scores: Float32Array, rows: number, width: number): void {
    const n = rows * width;
    const oldest = at - this.maxAgeMs;
    while (this.live > 0 && this.ats[this.order[this.head]] < oldest) this.forgetHead();
    // a batch larger than the bound is not kept (nor is anything forgotten for it)
    if (rows <= 0 || rows > this.maxRows || n > scores.length) return;
    const most = this.maxRows * width;
    // the tail skipped when the scores do not fit before the end (-1: none)
    let skipped = -1;
    if (this.write + n > this.data.length) {
      // Grown on demand up to maxRows rows of the widest model seen (a wider one re-lays the ring out),
      // then written round: the scores after the write position are the oldest kept.
      if (this.data.length < most) this.relayout(Math.min(most, Math.max(2 * this.data.length, 64 * n)));
      if (this.write + n > this.data.length) {
        skipped = this.write;
        this.write = 0;
      }
    }
    const from = this.write;
    const until = from + n;
    // forget the oldest by count, whatever sits in a skipped tail, and whatever the new scores overwrite (in
    // address order from the old write position, live batches come oldest first, so only the oldest can be
    // in the way)
    while (this.live > 0) {
      const s = this.order[this.head];
      const start = this.offsets[s];
      const end = start + this.rows[s] * this.widths[s];
      const overlaps = (start < until && end > from) || (skipped >= 0 && end > skipped);
      if (!overlaps && this.liveRows + rows <= this.maxRows) break;
      this.forgetHead();
    }
    const slot = seq & this.mask;
    // Still held by a batch `slots` numbers older: possible only after that many batches were not kept.
    if (this.seqs[slot] >= 0) return;
    this.data.set(n === scores.length ? scores : scores.subarray(0, n), from);
    this.seqs[slot] = seq;
    this.offsets[slot] = from;
    this.rows[slot] = rows;
    this.widths[slot] = width;
    this.ats[slot] = at;
    this.windowStarts[slot] = windowStart;
    this.versions[slot] = version;
    this.order[(this.head + this.live) & this.mask] = slot;
    this.live++;
    this.liveRows += rows;
    this.write = until;
  }

  /** Row `row` of batch `seq`, if still kept. */
  get(seq: number, row: number): RecentPrediction<V> | undefined {
    const slot = seq & this.mask;
    // a slot holds its batch's number while it is kept, -1 once forgotten
    if (this.seqs[slot] !== seq || row >= this.rows[slot]) return undefined;
    const width = this.widths[slot];
    const at = this.offsets[slot] + row * width;
    return { version: this.versions[slot] as V, windowStart: this.windowStarts[slot], scores: this.data.subarray(at, at + width) };
  }

  /**
   * Every kept batch, oldest first, with a copy of their scores: what a worker taking over from this one
   * adopts (see `ModelMonitor.adoptRecent`), so labels for its predictions still join them.
   */
  snapshot(): RecentSnapshot<V> {
    const n = this.live;
    const seqs = new Float64Array(n);
    const windowStarts = new Float64Array(n);
    const ats = new Float64Array(n);
    const rows = new Int32Array(n);
    const widths = new Int32Array(n);
    const versions: V[] = new Array(n);
    let floats = 0;
    for (let i = 0; i < n; i++) {
      const s = this.order[(this.head + i) & this.mask];
      seqs[i] = this.seqs[s];
      windowStarts[i] = this.windowStarts[s];
      ats[i] = this.ats[s];
      rows[i] = this.rows[s];
      widths[i] = this.widths[s];
      versions[i] = this.versions[s] as V;
      floats += this.rows[s] * this.widths[s];
    }
    const scores = new Float32Array(floats);
    let write = 0;
    for (let i = 0; i < n; i++) {
      const s = this.order[(this.head + i) & this.mask];
      const m = this.rows[s] * this.widths[s];
      scores.set(this.data.subarray(this.offsets[s], this.offsets[s] + m), write);
      write += m;
    }
    return { seqs, windowStarts, ats, rows, widths, versions, scores };
  }

  /** Predictions kept. */
  get size(): number {
    return this.liveRows;
  }

  private forgetHead(): void {
    const s = this.order[this.head];
    this.liveRows -= this.rows[s];
    this.seqs[s] = -1;
    this.versions[s] = undefined;
    this.head = (this.head + 1) & this.mask;
    this.live--;
  }

  /** Moves the live batches, in order, to the start of a ring of `length` floats. */
  private relayout(length: number): void {
    const next = new Float32Array(length);
    let write = 0;
    for (let i = 0; i < this.live; i++) {
      const s = this.order[(this.head + i) & this.mask];
      const n = this.rows[s] * this.widths[s];
      next.set(this.data.subarray(this.offsets[s], this.offsets[s] + n), write);
      this.offsets[s] = write;
      write += n;
    }
    this.data = next;
    this.write = write;
  }
}
