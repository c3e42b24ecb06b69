/**
 * Shadow versions in the worker: a version loaded beside a model's champion (a `shadow` channel) that runs
 * on a share of the champion's live inputs after each answer is posted, and never answers a caller. Its
 * time is held to the monitoring budget (`monitoringBudget`'s share of the champion's inference time, a
 * budget of its own, so it never takes the sketches' time): rows it has no time for are counted as
 * skipped. What it would have said is compared with what the champion said, per row, and joined with
 * late labels.
 */
import { EdgewatchError, ErrorCode } from '../src/errors.ts';
import type { RawRecord } from '../src/features/FeatureSpec.ts';
import { MonitorBudget, type MonitorBudgetOptions } from '../src/monitor/MonitorBudget.ts';
import { isPackedRecords, type RecordBatch } from '../src/features/RecordBatch.ts';
import type { ShadowSummary } from '../src/monitor/summary/ShadowSummary.ts';
import { topClasses } from '../src/monitor/topClasses.ts';
import type { ModelSession } from './session.ts';

/** Default share of the champion's rows a shadow runs on. */
export const DEFAULT_SHADOW_SHARE = 0.1;
/**
 * Refuses a share outside (0, 1].
 *
 * @throws EdgewatchError `INPUT_INVALID` (`details.field` `share`).
 */
export function checkShadowShare(share: number): void {
  if (!(share > 0 && share <= 1))
    throw new EdgewatchError(ErrorCode.INPUT_INVALID, 'the shadow share must be in (0, 1]', { field: 'share', reason: 'out-of-range' });
}

/** Shadow answers kept for late labels, per model (oldest dropped first). */
const MAX_KEPT = 10_000;

interface Shadow {
  readonly session: ModelSession;
  readonly share: number;
  /** When it started (after a handoff: when the first of its workers did). */
  since: number;
  /** Rows seen, for the deterministic sample (a row is taken when ⌊(n+1)·share⌋ > ⌊n·share⌋). */
  seen: number;
  champion: string;
  compared: number;
  agreed: number;
  failed: number;
  skipped: number;
  /** The shadow's time, held to the monitoring budget's share of the champion's inference time. */
  readonly budget: MonitorBudget;
  readonly classCounts: number[];
  confidenceSum: number;
  labelled: number;
  correct: number;
  championCorrect: number;
  /** predictionId → [shadow class, champion class]. */
  readonly kept: Map<string, readonly [number, number]>;
}

/**
 * A shadow's counts and its answers kept for late labels, as the worker taking over in a backend handoff
 * adopts them ({@link WorkerShadows.adopt}): a shadow's comparisons and labels carry on there.
 */
export interface ShadowState {
  readonly name: string;
  readonly version: string;
  readonly champion: string;
  readonly since: number;
  readonly seen: number;
  readonly compared: number;
  readonly agreed: number;
  readonly failed: number;
  readonly skipped: number;
  readonly classCounts: readonly number[];
  readonly confidenceSum: number;
  readonly labelled: number;
  readonly correct: number;
  readonly championCorrect: number;
  /** The kept answers' prediction ids, oldest first, joined by newlines (ids hold none): one string to move, not thousands. */
  readonly keptIds: string;
  /** Per kept answer: the shadow's class, then the champion's. */
  readonly keptClasses: Int32Array;
}

const COUNTS = ['seen', 'compared', 'agreed', 'failed', 'skipped', 'labelled', 'correct', 'championCorrect'] as const;

/** True for a count: a safe integer ≥ 0. */
const isCount = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 0;

/** The records of `rows` out of a batch, as plain objects. */
function pick(batch: RecordBatch, rows: readonly number[]): RawRecord[] {
  if (!isPackedRecords(batch)) return rows.map((r) => batch[r]);
  return rows.map((r) => {
    const record: Record<string, unknown> = {};
    batch.names.forEach((name, c) => {
      const value = batch.columns[c][r];
      if (value !== undefined) record[name] = value;
    });
    return record as RawRecord;
  });
}

/** The shadows of one worker (see the file comment). */
export class WorkerShadows {
  private readonly shadows = new Map<string, Shadow>();
  private budgetOptions: MonitorBudgetOptions | undefined;

  /** The monitoring budget's settings (`monitoringBudget`): each shadow gets a budget of its own with them. */
  configure(budget: MonitorBudgetOptions | undefined): void {
    this.budgetOptions = budget;
  }

  /** Starts shadowing `session.name`'s serving version `champion` with a loaded session (replacing any shadow it had). */
  start(session: ModelSession, champion: string, share = DEFAULT_SHADOW_SHARE): void {
    checkShadowShare(share);
    this.stop(session.name);
    const labels = session.entry.outputs.kind === 'classification' ? session.entry.outputs.labels.length : 0;
    this.shadows.set(session.name, {
      session,
      share,
      since: Date.now(),
      seen: 0,
      champion,
      compared: 0,
      agreed: 0,
      failed: 0,
      skipped: 0,
      budget: new MonitorBudget(this.budgetOptions),
      classCounts: new Array(labels).fill(0),
      confidenceSum: 0,
      labelled: 0,
      correct: 0,
      championCorrect: 0,
      kept: new Map(),
    });
  }

  /** Stops shadowing `name` and releases its session. */
  stop(name: string): void {
    this.shadows.get(name)?.session.retire();
    this.shadows.delete(name);
  }

  /** True when `name` has a shadow. */
  has(name: string): boolean {
    return this.shadows.has(name);
  }

  /**
   * After the champion answered a batch: the work that runs the shadow on its sample of rows, or
   * undefined when there is nothing to do. It never throws: a shadow's failure is counted, not passed on.
   */
  after(
    champion: ModelSession,
    batch: RecordBatch,
    rows: number,
    classes: Int32Array | undefined,
    idPrefix: string,
    inferenceMs: number,
  ): (() => Promise<void>) | undefined {
    const shadow = this.shadows.get(champion.name);
    if (!shadow || !classes || shadow.classCounts.length === 0 || shadow.session.version === champion.version) return undefined;
    const taken: number[] = [];
    for (let r = 0; r < rows; r++, shadow.seen++) if (Math.floor((shadow.seen + 1) * shadow.share) > Math.floor(shadow.seen * shadow.share)) taken.push(r);
    // The budget decides how many of them it has time for (all while it pays, none when it is spent).
    const afford = taken.length > 0 ? shadow.budget.rowsToSketch(taken.length) : 0;
    const reserved = shadow.budget.reservedMs;
    shadow.skipped += taken.length - afford;
    const sample = afford === taken.length ? taken : Array.from(shadow.budget.sample(taken.length, afford, new Int32Array(afford)), (i) => taken[i]);
    if (sample.length === 0) {
      shadow.budget.account(inferenceMs, 0, 0, 0, reserved);
      return undefined;
    }
    // The champion's classes of the sample, copied now: the answer's buffers are the page's once posted.
    const championClasses = sample.map((r) => classes[r]);
    return async () => {
      const session = shadow.session;
      const started = performance.now();
      let scores: Float32Array;
      try {
        scores = await session.predict(pick(batch, sample));
      } catch {
        shadow.failed += sample.length;
        return;
      } finally {
        const spent = performance.now() - started;
        shadow.budget.account(inferenceMs, spent, sample.length, spent, reserved);
      }
      if (this.shadows.get(champion.name) !== shadow) return; // replaced meanwhile
      const width = session.outputWidth;
      const own = topClasses(scores, sample.length, width, new Int32Array(sample.length));
      shadow.champion = champion.version;
      for (let i = 0; i < sample.length; i++) {
        const mine = own[i];
        if (mine < 0) {
          shadow.failed++;
          continue;
        }
        shadow.compared++;
        if (mine === championClasses[i]) shadow.agreed++;
        shadow.classCounts[mine]++;
        shadow.confidenceSum += scores[i * width + mine];
        if (shadow.kept.size >= MAX_KEPT) shadow.kept.delete(shadow.kept.keys().next().value as string);
        shadow.kept.set(`${idPrefix}:${sample[i]}`, [mine, championClasses[i]]);
      }
    };
  }

  /** Joins a late label with the shadow's answer to the same prediction, if it made one. */
  feedback(name: string, predictionId: string, label: string | number): void {
    const shadow = this.shadows.get(name);
    const answer = shadow?.kept.get(predictionId);
    if (!shadow || !answer) return;
    const outputs = shadow.session.entry.outputs;
    const index = typeof label === 'number' ? label : outputs.kind === 'classification' ? outputs.labels.indexOf(label) : -1;
    if (!(Number.isInteger(index) && index >= 0 && index < shadow.classCounts.length)) return;
    shadow.kept.delete(predictionId);
    shadow.labelled++;
    if (answer[0] === index) shadow.correct++;
    if (answer[1] === index) shadow.championCorrect++;
  }

  /** Every shadow's counts and kept answers, for the worker taking over from this one. */
  export(): ShadowState[] {
    return [...this.shadows].map(([name, s]) => ({
      name,
      version: s.session.version,
      champion: s.champion,
      since: s.since,
      seen: s.seen,
      compared: s.compared,
      agreed: s.agreed,
      failed: s.failed,
      skipped: s.skipped,
      classCounts: [...s.classCounts],
      confidenceSum: s.confidenceSum,
      labelled: s.labelled,
      correct: s.correct,
      championCorrect: s.championCorrect,
      keptIds: [...s.kept.keys()].join('\n'),
      keptClasses: Int32Array.from([...s.kept.values()].flat()),
    }));
  }

  /**
   * Adds a handed-over worker's shadow counts to the same shadow here (same model, version and classes; any
   * other is left out) and keeps its answers for late labels (older than this worker's own, within the
   * bound). Counts that are not counts, or classes out of range, refuse that shadow's state whole. Returns the
   * shadows carried on.
   */
  adopt(states: readonly ShadowState[]): number {
    let adopted = 0;
    for (const state of states) {
      const shadow = typeof state?.name === 'string' ? this.shadows.get(state.name) : undefined;
      if (!shadow || state.version !== shadow.session.version || typeof state.champion !== 'string') continue;
      const width = shadow.classCounts.length;
      const classOk = (c: unknown) => Number.isInteger(c) && (c as number) >= 0 && (c as number) < width;
      if (
        !COUNTS.every((k) => isCount(state[k])) ||
        !(Number.isFinite(state.since) && Number.isFinite(state.confidenceSum) && state.confidenceSum >= 0) ||
        !Array.isArray(state.classCounts) ||
        state.classCounts.length !== width ||
        !state.classCounts.every(isCount) ||
        typeof state.keptIds !== 'string' ||
        !(state.keptClasses instanceof Int32Array) ||
        !state.keptClasses.every(classOk)
      )
        continue;
      const ids = state.keptIds === '' ? [] : state.keptIds.split('\n');
      if (state.keptClasses.length !== 2 * ids.length) continue;
      for (const k of COUNTS) shadow[k] += state[k];
      state.classCounts.forEach((n, c) => {
        shadow.classCounts[c] += n;
      });
      shadow.confidenceSum += state.confidenceSum;
      shadow.since = Math.min(shadow.since, state.since);
      if (shadow.compared === state.compared) shadow.champion = state.champion;
      // The handed-over answers are older than this worker's: first in, first dropped past the bound.
      const own = [...shadow.kept];
      shadow.kept.clear();
      for (let i = Math.max(0, ids.length - MAX_KEPT); i < ids.length; i++) shadow.kept.set(ids[i], [state.keptClasses[2 * i], state.keptClasses[2 * i + 1]]);
      for (const [id, answer] of own) shadow.kept.set(id, answer);
      while (shadow.kept.size > MAX_KEPT) shadow.kept.delete(shadow.kept.keys().next().value as string);
      adopted++;
    }
    return adopted;
  }

  /** What the shadow of `name` did so far. */
  summary(name: string): ShadowSummary | undefined {
    const s = this.shadows.get(name);
    if (!s) return undefined;
    const outputs = s.session.entry.outputs;
    return {
      version: s.session.version,
      champion: s.champion,
      since: s.since,
      share: s.share,
      compared: s.compared,
      agreed: s.agreed,
      ...(s.compared > 0 ? { agreement: s.agreed / s.compared, meanConfidence: s.confidenceSum / s.compared } : {}),
      failed: s.failed,
      skipped: s.skipped,
      ...(outputs.kind === 'classification' ? { classes: { categories: [...outputs.labels], counts: [...s.classCounts] } } : {}),
      labelled: s.labelled,
      correct: s.correct,
      championCorrect: s.championCorrect,
      ...(s.labelled > 0 ? { accuracy: s.correct / s.labelled, championAccuracy: s.championCorrect / s.labelled } : {}),
    };
  }
}
