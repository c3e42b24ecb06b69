/**
 * Shortest span one timing of a trial covers (ms): a one-row call of a small model takes 35–150 µs, a
 * few ticks of a 5 µs clock, and one call alone is at the mercy of a thread wake-up. Calls are repeated
 * until the span is covered (at most {@link MAX_CALLS_PER_TIMING}); a model whose one call covers it runs once.
 */
export const MIN_TIMING_MS = 2;

/** Most calls in one timing: a bound on the time a trial takes whatever the clock says. */
export const MAX_CALLS_PER_TIMING = 32;

/**
 * Mean ms per call of `run`, called one after another until `minMs` have passed (at least once, at most
 * `maxCalls` times), and what its last call gave (an engine trial compares the answers of the same calls
 * it times: a model whose one call covers the span runs once). Thread counts, ORT's backends and engines
 * are compared on such timings, medians over rounds: with one call per timing, a 2-thread MLP came out
 * 1.1–1.3× faster than one thread by chance and was picked, then ran slower.
 */
export async function timeCalls<T>(run: () => Promise<T>, minMs = MIN_TIMING_MS, maxCalls = MAX_CALLS_PER_TIMING): Promise<{ ms: number; last: T }> {
  const t0 = performance.now();
  let calls = 0;
  let elapsed = 0;
  let last: T;
  do {
    last = await run();
    calls++;
    elapsed = performance.now() - t0;
  } while (elapsed < minMs && calls < maxCalls);
  return { ms: elapsed / calls, last };
}
