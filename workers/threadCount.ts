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

/** The device's cores as this thread's navigator says (1 where it says nothing, or in Node). */
export function deviceCores(): number {
  return typeof navigator === 'undefined' ? 1 : navigator.hardwareConcurrency || 1;
}

/** A remembered thread count: as {@link threadCount}, and at most {@link deviceCores} (undefined beyond). */
export function storedThreadCount(value: unknown): number | undefined {
  const threads = threadCount(value);
  return threads !== undefined && threads <= deviceCores() ? threads : undefined;
}
