/**
 * Thread counts as the worker accepts them. A caller's count (`wasmThreads: n`) is taken as asked: a
 * whole number ≥ 1 (tests present more cores than the device has on purpose). A count read back from
 * storage (a remembered measurement) is also capped at the device's cores: the row is hostile until
 * checked, and a tampered one must not start a thousand threads.
 */

/** A caller's thread count: a whole number ≥ 1, else undefined (the library's default). */
export function threadCount(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 ? value : undefined;
}

/** A remembered thread count: as {@link threadCount}, and at most `navigator.hardwareConcurrency` (undefined beyond). */
export function storedThreadCount(value: unknown): number | undefined {
  const threads = threadCount(value);
  const cores = typeof navigator === 'undefined' ? 1 : navigator.hardwareConcurrency || 1;
  return threads !== undefined && threads <= cores ? threads : undefined;
}
