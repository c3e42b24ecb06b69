import type { DriftDetector } from './DriftDetector.ts';
import { isCount, isFiniteNumber, isRecord } from './detectorState.ts';

/** Parameters of {@link PageHinkley}. `delta` and `threshold` are in units of the stream's scale. */
export interface PageHinkleyOptions {
  /** Values seen before any detection (and before the scale estimate is used). Default 30. */
  readonly minInstances?: number;
  /** Magnitude of change tolerated, in scales (the CUSUM allowance `k`). Default 0.5. */
  readonly delta?: number;
  /** λ: alarm when the cumulative deviation exceeds `threshold` scales. Default 18. */
  readonly threshold?: number;
  /** Forgetting factor of the cumulative sums. Default 1 − 1e-4 (river's). */
  readonly alpha?: number;
  /** Detect increases, decreases or both. Default `'both'`. */
  readonly mode?: 'up' | 'down' | 'both';
  /**
   * The stream's standard deviation when it is known (the training baseline's error spread, see
   * `errorScale`). Without it the detector uses the running standard deviation since the last reset.
   */
  readonly scale?: number;
}

/** {@link PageHinkley}'s statistics, as {@link PageHinkley.exportState} gives them. */
export interface PageHinkleyState {
  readonly n: number;
  readonly mean: number;
  readonly m2: number;
  readonly sumUp: number;
  readonly minUp: number;
  readonly sumDown: number;
  readonly maxDown: number;
  readonly driftDetected: boolean;
  readonly skipped: number;
}

const SUMS = ['mean', 'm2', 'sumUp', 'minUp', 'sumDown', 'maxDown'] as const;

/**
 * Page–Hinkley test (Page 1954) on standardised values: tracks the cumulative deviation of values from
 * their running mean, minus a tolerance `δ·σ`, and alarms when it rises more than `λ·σ` above its
 * running minimum (an increase) or falls more than `λ·σ` below its running maximum (a decrease).
 *
 * river's PH reads λ = 50 in the stream's own units, so the same errors in metres or millimetres alarm
 * at different rates; here σ is the given `scale` or the running standard deviation, so δ and λ mean
 * the same on any target. δ = 0.5 (a CUSUM tuned to shifts of one σ) and λ = 18 were calibrated on
 * seeded stable and shifted error streams (`npm run bench:drift`, results in `bench/results/drift.md`).
 */
export class PageHinkley implements DriftDetector {
  readonly name = 'pageHinkley';
  readonly minInstances: number;
  readonly delta: number;
  readonly threshold: number;
  readonly alpha: number;
  readonly mode: 'up' | 'down' | 'both';
  readonly scale: number | undefined;
  driftDetected = false;
  skipped = 0;
  private n = 0;
  private mean = 0;
  private m2 = 0;
  private sumUp = 0;
  private minUp = 0;
  private sumDown = 0;
  private maxDown = 0;

  constructor(options: PageHinkleyOptions = {}) {
    this.minInstances = options.minInstances ?? 30;
    this.delta = options.delta ?? 0.5;
    this.threshold = options.threshold ?? 18;
    this.alpha = options.alpha ?? 1 - 0.0001;
    this.mode = options.mode ?? 'both';
    const scale = options.scale;
    this.scale = scale !== undefined && Number.isFinite(scale) && scale > 0 ? scale : undefined;
  }

  /** The σ in use: the given scale, else the running standard deviation (0 before two distinct values). */
  get currentScale(): number {
    return this.scale ?? (this.n > 1 ? Math.sqrt(this.m2 / this.n) : 0);
  }

  /** Feeds one value; a non-finite one is skipped (it would turn every sum into NaN for good). */
  update(x: number): this {
    if (!Number.isFinite(x)) {
      this.skipped++;
      this.driftDetected = false;
      return this;
    }
    if (this.driftDetected) this.reset();
    this.n++;
    const d = x - this.mean;
    this.mean += d / this.n;
    this.m2 += d * (x - this.mean);
    const sigma = this.currentScale;
    // no spread yet (a run of identical errors): nothing to standardise by, nothing accumulates
    if (sigma === 0) return this;
    this.sumUp = this.alpha * this.sumUp + (x - this.mean) / sigma - this.delta;
    this.minUp = Math.min(this.minUp, this.sumUp);
    this.sumDown = this.alpha * this.sumDown + (x - this.mean) / sigma + this.delta;
    this.maxDown = Math.max(this.maxDown, this.sumDown);
    if (this.n >= this.minInstances) {
      const up = this.mode !== 'down' && this.sumUp - this.minUp > this.threshold;
      const down = this.mode !== 'up' && this.maxDown - this.sumDown > this.threshold;
      this.driftDetected = up || down;
    }
    return this;
  }

  exportState(): PageHinkleyState {
    const { n, mean, m2, sumUp, minUp, sumDown, maxDown, driftDetected, skipped } = this;
    return { n, mean, m2, sumUp, minUp, sumDown, maxDown, driftDetected, skipped };
  }

  restoreState(state: unknown): boolean {
    if (!isRecord(state) || !isCount(state.n) || !isCount(state.skipped) || typeof state.driftDetected !== 'boolean') return false;
    if (!SUMS.every((k) => isFiniteNumber(state[k]))) return false;
    const s = state as unknown as PageHinkleyState;
    // the running extremes bound the sums they track, and a sum of squares is not negative
    if (s.m2 < 0 || s.minUp > s.sumUp || s.minUp > 0 || s.maxDown < s.sumDown || s.maxDown < 0) return false;
    ({ n: this.n, mean: this.mean, m2: this.m2, sumUp: this.sumUp, minUp: this.minUp, sumDown: this.sumDown, maxDown: this.maxDown } = s);
    this.driftDetected = s.driftDetected;
    this.skipped = s.skipped;
    return true;
  }

  reset(): void {
    this.driftDetected = false;
    this.n = 0;
    this.mean = 0;
    this.m2 = 0;
    this.sumUp = 0;
    this.minUp = 0;
    this.sumDown = 0;
    this.maxDown = 0;
  }
}
