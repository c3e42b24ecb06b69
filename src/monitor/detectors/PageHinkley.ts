import type { DriftDetector } from './DriftDetector.ts';

/** Parameters of {@link PageHinkley}; defaults are river's `drift.PageHinkley`. */
export interface PageHinkleyOptions {
  /** Values seen before any detection. Default 30. */
  readonly minInstances?: number;
  /** Magnitude of change tolerated. Default 0.005. */
  readonly delta?: number;
  /** λ: alarm when the cumulative deviation exceeds it. Default 50. */
  readonly threshold?: number;
  /** Forgetting factor of the cumulative sums. Default 1 − 1e-4. */
  readonly alpha?: number;
  /** Detect increases, decreases or both. Default `'both'`. */
  readonly mode?: 'up' | 'down' | 'both';
}

/**
 * Page–Hinkley test (Page 1954): tracks the cumulative deviation of values from their running mean,
 * minus a tolerance δ, and alarms when it rises more than λ above its running minimum (an increase)
 * or falls more than λ below its running maximum (a decrease). Suited to error magnitudes.
 */
export class PageHinkley implements DriftDetector {
  readonly name = 'pageHinkley';
  readonly minInstances: number;
  readonly delta: number;
  readonly threshold: number;
  readonly alpha: number;
  readonly mode: 'up' | 'down' | 'both';
  driftDetected = false;
  private n = 0;
  private mean = 0;
  private sumUp = 0;
  private minUp = 0;
  private sumDown = 0;
  private maxDown = 0;

  constructor(options: PageHinkleyOptions = {}) {
    this.minInstances = options.minInstances ?? 30;
    this.delta = options.delta ?? 0.005;
    this.threshold = options.threshold ?? 50;
    this.alpha = options.alpha ?? 1 - 0.0001;
    this.mode = options.mode ?? 'both';
  }

  update(x: number): this {
    if (this.driftDetected) this.reset();
    this.n++;
    this.mean += (x - this.mean) / this.n;
    this.sumUp = this.alpha * this.sumUp + (x - this.mean - this.delta);
    this.minUp = Math.min(this.minUp, this.sumUp);
    this.sumDown = this.alpha * this.sumDown + (x - this.mean + this.delta);
    this.maxDown = Math.max(this.maxDown, this.sumDown);
    if (this.n >= this.minInstances) {
      const up = this.mode !== 'down' && this.sumUp - this.minUp > this.threshold;
      const down = this.mode !== 'up' && this.maxDown - this.sumDown > this.threshold;
      this.driftDetected = up || down;
    }
    return this;
  }

  reset(): void {
    this.driftDetected = false;
    this.n = 0;
    this.mean = 0;
    this.sumUp = this.minUp = this.sumDown = this.maxDown = 0;
  }
}
