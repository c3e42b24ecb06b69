/**
 * A streaming change detector fed one value at a time (an error indicator or an error magnitude).
 * After an `update`, `driftDetected` says whether this value completed a detected change; detectors
 * reset their statistics on a detection so the next change is measured from the new regime.
 */
export interface DriftDetector {
  /** Registry-style name, e.g. `'ddm'`. */
  readonly name: string;
  /** True right after the update that detected a change. */
  readonly driftDetected: boolean;
  /** Feeds one value. */
  update(x: number): this;
  /** Forgets everything. */
  reset(): void;
}
