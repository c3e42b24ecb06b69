/**
 * Timed rounds of background trials that leave the machine to serving: the sides run in turns (A B A B,
 * so load drift hits them alike), and after every step the trials go idle for as long as that step kept a
 * core busy (a duty cycle of one half), so a core is free for the serving worker half the time whatever
 * the trial costs. Each side is preceded by the same gap, which keeps the comparison fair.
 */

/** Idle time after a background step, as a multiple of the step's own wall time: 1 = busy half the time. */
export const BACKGROUND_GAP_RATIO = 1;
/** No single idle gap is longer than this: a slow step (a model load on cpu) must not stall the trials for as long again. */
export const MAX_BACKGROUND_GAP_MS = 500;

/** Waits `ms` (a timer: the thread is idle meanwhile). */
export const idle = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `step`, then idles for as long as it took ({@link BACKGROUND_GAP_RATIO}, capped); resolves with its value and wall time. */
export async function paced<T>(step: () => Promise<T>, pause: (ms: number) => Promise<void> = idle): Promise<{ value: T; busyMs: number }> {
  const t0 = performance.now();
  const value = await step();
  const busyMs = performance.now() - t0;
  await pause(Math.min(MAX_BACKGROUND_GAP_MS, busyMs * BACKGROUND_GAP_RATIO));
  return { value, busyMs };
}

/** How {@link takeTurns} runs. */
export interface TurnOptions<T> {
  /** Rounds (each side once per round) at most. */
  readonly rounds: number;
  /** Rounds stop once the sides were busy this long in total (at least one round runs); idle gaps do not count. */
  readonly budgetMs?: number;
  /** Rounds before this index run but are not kept (warm-up). */
  readonly warmup?: number;
  /** After a kept round: true stops the rounds (a candidate hopeless after its first round). */
  readonly stop?: (kept: readonly (readonly T[])[]) => boolean;
  /** The idle gap (tests pass a recorder); {@link idle} by default. */
  readonly pause?: (ms: number) => Promise<void>;
}

/** Runs `sides` in turns, round by round, each step {@link paced}; per side, the values of the kept rounds. */
export async function takeTurns<T>(sides: readonly (() => Promise<T>)[], options: TurnOptions<T>): Promise<T[][]> {
  const kept: T[][] = sides.map(() => []);
  const warmup = options.warmup ?? 0;
  let busy = 0;
  for (let round = -warmup; round < options.rounds; round++) {
    for (const [k, side] of sides.entries()) {
      const { value, busyMs } = await paced(side, options.pause);
      busy += busyMs;
      if (round >= 0) kept[k].push(value);
    }
    if (round < 0) continue;
    if (options.stop?.(kept)) break;
    if (options.budgetMs !== undefined && busy >= options.budgetMs) break;
  }
  return kept;
}
