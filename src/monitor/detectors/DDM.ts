import type { DriftDetector } from './DriftDetector.ts';
import { isCount, isFiniteNumber, isRecord } from './detectorState.ts';

/** Parameters of {@link DDM}; defaults are river's `drift.binary.DDM`. */
export interface DDMOptions {
  /**
   * Values counted before the first warning or detection can happen: the test starts with the value
   * after these (river's `warm_start`, skmultiflow's `min_num_instances`). Default 30.
   */
  readonly warmStart?: number;
  /** Warning at `p_min + warningThreshold·s_min`. Default 2. */
  readonly warningThreshold?: number;
  /** Drift at `p_min + driftThreshold·s_min`. Default 3. */
  readonly driftThreshold?: number;
}

/** {@link DDM}'s statistics, as {@link DDM.exportState} gives them. */
export interface DDMState {
  readonly n: number;
  readonly p: number;
  /** `+Infinity` until the test starts (after `warmStart` outcomes), as `sMin`. */
  readonly pMin: number;
  readonly sMin: number;
  readonly driftDetected: boolean;
  readonly skipped: number;
}

/**
 * Drift Detection Method (Gama et al., 2004) on a binary error stream (1 = wrong). Models the error
 * count as binomial: with error rate `p` and `s = √(p(1−p)/n)`, it remembers the minimum of `p + s`
 * and warns (2σ) or alarms (3σ) when `p + s` climbs that far above it — a classifier whose error
 * rate rises significantly has met a change in the concept. Resets on the update after a detection.
 */
export class DDM implements DriftDetector {
  readonly name = 'ddm';
  readonly warmStart: number;
  readonly warningThreshold: number;
  readonly driftThreshold: number;
  driftDetected = false;
  warningDetected = false;
  skipped = 0;
  private n = 0;
  private p = 0;
  private pMin = Number.POSITIVE_INFINITY;
  private sMin = Number.POSITIVE_INFINITY;

  constructor(options: DDMOptions = {}) {
    this.warmStart = options.warmStart ?? 30;
    this.warningThreshold = options.warningThreshold ?? 2;
    this.driftThreshold = options.driftThreshold ?? 3;
  }

  /** Outcomes counted since the last reset. */
  get count(): number {
    return this.n;
  }

  /** Feeds one outcome: 1 (or true) for an error, 0 for a correct prediction; a non-finite value is skipped. */
  update(x: number): this {
    if (!Number.isFinite(x)) {
      // a NaN would make p NaN and every comparison false from here on: the detector would be dead
      this.skipped++;
      this.driftDetected = false;
      this.warningDetected = false;
      return this;
    }
    if (this.driftDetected) this.reset();
    this.n++;
    this.p += (x - this.p) / this.n;
    const s = Math.sqrt((this.p * (1 - this.p)) / this.n);
    this.warningDetected = false;
    // river tests from the value after `warm_start`: with n ≤ 30 the binomial s is too rough to trust
    if (this.n <= this.warmStart) return this;
    if (this.p + s <= this.pMin + this.sMin) {
      this.pMin = this.p;
      this.sMin = s;
    }
    if (this.p + s > this.pMin + this.driftThreshold * this.sMin) this.driftDetected = true;
    else if (this.p + s > this.pMin + this.warningThreshold * this.sMin) this.warningDetected = true;
    return this;
  }

  exportState(): DDMState {
    return { n: this.n, p: this.p, pMin: this.pMin, sMin: this.sMin, driftDetected: this.driftDetected, skipped: this.skipped };
  }

  restoreState(state: unknown): boolean {
    if (!isRecord(state) || !isCount(state.n) || !isCount(state.skipped) || typeof state.driftDetected !== 'boolean') return false;
    const { p, pMin, sMin } = state;
    const started = isFiniteNumber(pMin) && isFiniteNumber(sMin);
    const rate = (x: unknown) => isFiniteNumber(x) && x >= 0 && x <= 1;
    // the minimum is either not set yet (both +∞) or a rate and its spread
    if (!rate(p) || !(started ? rate(pMin) && sMin >= 0 : pMin === Number.POSITIVE_INFINITY && sMin === Number.POSITIVE_INFINITY)) return false;
    this.n = state.n;
    this.p = p as number;
    this.pMin = pMin as number;
    this.sMin = sMin as number;
    this.driftDetected = state.driftDetected;
    this.warningDetected = false;
    this.skipped = state.skipped;
    return true;
  }

  reset(): void {
    this.driftDetected = false;
    this.warningDetected = false;
    this.n = 0;
    this.p = 0;
    this.pMin = Number.POSITIVE_INFINITY;
    this.sMin = Number.POSITIVE_INFINITY;
  }
}
