/**
 * Checks for a detector's handed-over state ({@link DriftDetector.exportState}): it crossed a thread
 * boundary and is read as hostile, so a restore takes only plain records of finite numbers in range.
 */

/** A plain object (not an array, not null). */
export function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** A finite number. */
export function isFiniteNumber(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}

/** A count: a safe integer ≥ 0. */
export function isCount(x: unknown): x is number {
  return Number.isSafeInteger(x) && (x as number) >= 0;
}
