/**
 * A streaming change detector fed one value at a time (an error indicator or an error magnitude).
 * After an `update`, `driftDetected` says whether this value completed a detected change; detectors
 * reset their statistics on a detection so the next change is measured from the new regime, and one
 * change fires once. A non-finite value (a NaN label join, an ∞ error) is skipped and counted in
 * `skipped`: it changes no statistic and the detector keeps working.
 */
export interface DriftDetector {
  /** Registry-style name, e.g. `'ddm'`. */
  readonly name: string;
  /** True right after the update that detected a change. */
  readonly driftDetected: boolean;
  /** Non-finite values seen and ignored since construction (a reset keeps this count). */
  readonly skipped: number;
  /** Feeds one value. */
  update(x: number): this;
  /** Forgets everything but `skipped`. */
  reset(): void;
  /**
   * The statistics as plain, structured-clone-safe data, so a detector in another worker (the one taking
   * over in a backend handoff) carries on where this one is. Optional for detectors an app supplies.
   */
  exportState?(): unknown;
  /**
   * Carries on from {@link DriftDetector.exportState}'s data of a detector with the same options. Data that
   * does not check out changes nothing and returns false.
   */
  restoreState?(state: unknown): boolean;
}
