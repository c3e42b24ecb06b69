/** When a freshly activated version is judged unhealthy. */
export interface HealthPolicy {
  /** Predictions watched after activation. Default 50. */
  readonly predictions: number;
  /** Failed batches (other than bad input) over watched batches that triggers a rollback. Default 0.2. */
  readonly maxErrorRate: number;
  /** Batches needed before the error rate counts. Default 5. */
  readonly minBatches: number;
}

/** The policy's defaults (applied by `resolveOptions`). */
export const DEFAULT_HEALTH_POLICY: HealthPolicy = Object.freeze({ predictions: 50, maxErrorRate: 0.2, minBatches: 5 });

/**
 * Watches the first predictions of a newly activated version. Returns a reason to roll back as soon as
 * one shows (NaN/Inf outputs, too many failed batches), or null; `done` once the version has proved
 * itself over `policy.predictions` predictions.
 */
export class HealthWatch {
  private predictions = 0;
  private batches = 0;
  private failures = 0;

  constructor(
    readonly version: string,
    private readonly policy: HealthPolicy,
  ) {}

  get done(): boolean {
    return this.predictions >= this.policy.predictions;
  }

  /** A batch answered by the watched version. */
  answered(scores: Float32Array, rows: number): string | null {
    this.batches++;
    this.predictions += rows;
    for (let i = 0; i < scores.length; i++) {
      if (!Number.isFinite(scores[i])) return `non-finite output (${scores[i]}) in its first ${this.policy.predictions} predictions`;
    }
    return null;
  }

  /** A batch of the watched version failed for another reason than bad input. */
  failed(): string | null {
    this.batches++;
    this.failures++;
    if (this.batches >= this.policy.minBatches && this.failures / this.batches > this.policy.maxErrorRate) {
      return `error rate ${(this.failures / this.batches).toFixed(2)} over ${this.batches} batches`;
    }
    return null;
  }
}
