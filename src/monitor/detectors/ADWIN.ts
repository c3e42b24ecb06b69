import type { DriftDetector } from './DriftDetector.ts';
import { isCount, isFiniteNumber, isRecord } from './detectorState.ts';

/** Parameters of {@link ADWIN}; defaults are river's `drift.ADWIN`. */
export interface ADWINOptions {
  /** Confidence δ of a cut. Default 0.002. */
  readonly delta?: number;
  /** Check for cuts every `clock` values. Default 32. */
  readonly clock?: number;
  /** Buckets per row of the exponential histogram before two are merged. Default 5. */
  readonly maxBuckets?: number;
  /** Smallest size of either sub-window at a cut. Default 5. */
  readonly minWindowLength?: number;
  /** Values seen before any check. Default 10. */
  readonly gracePeriod?: number;
}

/** A bucket of the exponential histogram: count, sum and sum of squared deviations. */
interface Bucket {
  n: number;
  sum: number;
  m2: number;
}

/** {@link ADWIN}'s window, as {@link ADWIN.exportState} gives it. */
export interface ADWINState {
  /** Rows of the exponential histogram, each bucket `[n, sum, m2]` (row k's buckets hold 2^k values), oldest first. */
  readonly rows: readonly (readonly (readonly [number, number, number])[])[];
  readonly seen: number;
  readonly driftDetected: boolean;
  readonly skipped: number;
}

/** Rows a restored window may have: 2^52 values, beyond any stream a page sees. */
const MAX_ROWS = 52;

function combine(a: Bucket, b: Bucket): Bucket {
  const n = a.n + b.n;
  const delta = b.sum / b.n - a.sum / a.n;
  return { n, sum: a.sum + b.sum, m2: a.m2 + b.m2 + (delta * delta * a.n * b.n) / n };
}

/**
 * ADaptive WINdowing (Bifet & Gavaldà, 2007): keeps a window of recent values, compressed into an
 * exponential histogram (row k holds buckets of 2^k values, at most `maxBuckets` per row, so memory
 * is O(M·log W)), and every `clock` values looks for a split into an older `W₀` (n₀ values) and a
 * newer `W₁` (n₁) whose means differ by more than river's
 * `ε_cut = √(2·σ²_W·ln(2/δ')/m') + (2/3)·ln(2/δ')/m'`, with `δ' = δ/ln W`,
 * `1/m' = 1/(n₀ − L + 1) + 1/(n₁ − L + 1)` and `L = minWindowLength`.
 *
 * On a detection the older part goes, up to the newest split that still shows the change, so the
 * window holds the new regime only and one abrupt change fires once (river drops one bucket at a
 * time and may fire again at the next check while the old regime drains out).
 */
export class ADWIN implements DriftDetector {
  readonly name = 'adwin';
  readonly delta: number;
  readonly clock: number;
  readonly maxBuckets: number;
  readonly minWindowLength: number;
  readonly gracePeriod: number;
  driftDetected = false;
  skipped = 0;
  /** Rows of buckets; in each row the oldest bucket comes first, and higher rows are older. */
  private rows: Bucket[][] = [];
  private seen = 0;

  constructor(options: ADWINOptions = {}) {
    this.delta = options.delta ?? 0.002;
    this.clock = options.clock ?? 32;
    this.maxBuckets = options.maxBuckets ?? 5;
    this.minWindowLength = options.minWindowLength ?? 5;
    this.gracePeriod = options.gracePeriod ?? 10;
  }

  /** Values in the current window. */
  get width(): number {
    let n = 0;
    for (const row of this.rows) for (const b of row) n += b.n;
    return n;
  }

  /** Mean of the current window. */
  get estimation(): number {
    let n = 0;
    let sum = 0;
    for (const row of this.rows) {
      for (const b of row) {
        n += b.n;
        sum += b.sum;
      }
    }
    return n > 0 ? sum / n : 0;
  }

  /** Feeds one value; a non-finite one is skipped (it would poison every sum of the window). */
  update(x: number): this {
    this.driftDetected = false;
    if (!Number.isFinite(x)) {
      this.skipped++;
      return this;
    }
    this.seen++;
    this.insert({ n: 1, sum: x, m2: 0 }, 0);
    if (this.seen % this.clock === 0 && this.width > this.gracePeriod) this.driftDetected = this.cut();
    return this;
  }

  private insert(bucket: Bucket, level: number): void {
    this.rows[level] ??= [];
    const row = this.rows[level];
    row.push(bucket);
    if (row.length > this.maxBuckets) {
      const [a, b] = row.splice(0, 2);
      this.insert(combine(a, b), level + 1);
    }
  }

  /** Oldest-first list of buckets. */
  private buckets(): Bucket[] {
    const out: Bucket[] = [];
    for (let level = this.rows.length - 1; level >= 0; level--) out.push(...this.rows[level]);
    return out;
  }

  /** Looks for splits that show a change; drops the older side of the newest one and returns true. */
  private cut(): boolean {
    const buckets = this.buckets();
    let total: Bucket = { n: 0, sum: 0, m2: 0 };
    for (const b of buckets) total = total.n === 0 ? { ...b } : combine(total, b);
    const w = total.n;
    const L = this.minWindowLength;
    if (w < 2 * L) return false;
    const variance = total.m2 / w;
    const logTerm = Math.log((2 * Math.log(w)) / this.delta);
    let n0 = 0;
    let sum0 = 0;
    let drop = -1;
    for (let i = 0; i < buckets.length - 1; i++) {
      n0 += buckets[i].n;
      sum0 += buckets[i].sum;
      const n1 = w - n0;
      if (n0 < L) continue;
      if (n1 < L) break;
      const mRecip = 1 / (n0 - L + 1) + 1 / (n1 - L + 1);
      const epsilon = Math.sqrt(2 * mRecip * variance * logTerm) + (2 / 3) * mRecip * logTerm;
      if (Math.abs(sum0 / n0 - (total.sum - sum0) / n1) > epsilon) drop = i;
    }
    if (drop < 0) return false;
    this.dropOldest(drop + 1);
    return true;
  }

  /** Drops the `count` oldest buckets. */
  private dropOldest(count: number): void {
    let left = count;
    for (let level = this.rows.length - 1; level >= 0 && left > 0; level--) {
      const row = this.rows[level];
      const take = Math.min(left, row.length);
      row.splice(0, take);
      left -= take;
    }
    while (this.rows.length > 0 && this.rows[this.rows.length - 1].length === 0) this.rows.pop();
  }

  exportState(): ADWINState {
    return {
      rows: this.rows.map((row) => row.map((b) => [b.n, b.sum, b.m2] as const)),
      seen: this.seen,
      driftDetected: this.driftDetected,
      skipped: this.skipped,
    };
  }

  restoreState(state: unknown): boolean {
    if (!isRecord(state) || !isCount(state.seen) || !isCount(state.skipped) || typeof state.driftDetected !== 'boolean') return false;
    const rows = state.rows;
    if (!Array.isArray(rows) || rows.length > MAX_ROWS) return false;
    const restored: Bucket[][] = [];
    for (let k = 0; k < rows.length; k++) {
      const row: unknown = rows[k];
      if (!Array.isArray(row) || row.length > this.maxBuckets) return false;
      const buckets: Bucket[] = [];
      for (const b of row as unknown[]) {
        // the histogram's invariant: row k's buckets hold exactly 2^k values
        if (!Array.isArray(b) || b.length !== 3 || b[0] !== 2 ** k || !isFiniteNumber(b[1]) || !isFiniteNumber(b[2]) || b[2] < 0) return false;
        buckets.push({ n: b[0], sum: b[1], m2: b[2] });
      }
      restored.push(buckets);
    }
    this.rows = restored;
    this.seen = state.seen;
    this.driftDetected = state.driftDetected;
    this.skipped = state.skipped;
    return true;
  }

  reset(): void {
    this.rows = [];
    this.seen = 0;
    this.driftDetected = false;
  }
}
