/**
 * Under `backends: 'auto'`, a version that ships in several encodings (`alternates` in its manifest entry,
 * e.g. its ONNX export beside the TF.js files): the version's own encoding serves first; after the first
 * answer (and the TF.js backend trials, so the comparison is with the best TF.js backend) each alternate
 * is loaded from its verified artifacts on its engine, timed against the serving session on the golden
 * rows A B A B (the trial batch of the backend trials, `trialBatch`: up to 32 rows, and one row: the engines' per-call costs differ most on one row), and the
 * serving session is hot-swapped for it when it is at least `backendSwapSpeedup` faster on one of the two
 * and not slower on the other (`beatsWithoutLoss`), and answers within {@link TRIAL_TOLERANCE} of it. The
 * outcome is remembered per device + version (a `backendChoices` row of its own key), so the next start
 * loads the winner and times nothing.
 *
 * An alternate that fails (a tampered file, a load or golden failure, other answers) is reported as
 * rejected and the serving session keeps serving.
 */
import type { IDBPDatabase } from 'idb';
import type { ModelVersion } from '../src/registry/Manifest.ts';
import type { BackendChoiceRow, EdgewatchDB } from '../src/storage/db.ts';
import { TRIAL_TOLERANCE } from './backgroundTrials.ts';
import { backendChoiceKey } from './chooseBackend.ts';
import type { EngineName } from './engines/Engine.ts';
import { engineFor } from './engines/engines.ts';
import type { BackendInfo, BackendName, BackendReport, LoadRequest, MeasuredEngine, WorkerConfig } from './protocol.ts';
import type { ModelSession } from './session.ts';
import { trialBatch } from './threadTrials.ts';
import { timeCalls } from './timeCalls.ts';
import { beatsWithoutLoss, DEFAULT_SWAP_SPEEDUP, maxAbsDiff, median } from './trialRules.ts';

const ROUNDS = 7;

/** What the engine trials need of the worker's sessions. */
export interface EngineTrialHost {
  readonly config: WorkerConfig;
  /** The serving session of a model, if any. */
  serving(name: string): ModelSession | undefined;
  /** Loads a version's encoding (verified artifacts, its engine's backend, warm-up, goldens) without serving it. */
  create(request: LoadRequest): Promise<ModelSession>;
  /** Runs `fn` with the worker's TF.js backend to itself (predictions wait). */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
  /** Serves `session` instead of the session of its name (the old one retires) and reports the backend info. */
  adopt(session: ModelSession, info: BackendInfo): void;
  /** The backend info of a session's engine (TF.js's choice or ORT's). */
  infoOf(session: ModelSession): BackendInfo;
  /** Settles once the TF.js backend trials are over (at once when there are none). */
  backendTrialsDone(): Promise<void>;
  /** The trials' outcome for a version, kept for a handoff worker (which then times nothing). */
  decided(name: string, choice: MeasuredEngine): void;
  report(report: BackendReport): void;
  database(): Promise<IDBPDatabase<EdgewatchDB>>;
}

/** The request that loads alternate `index` of a version (-1: its own encoding). */
export function encodingRequest(request: LoadRequest, index: number): LoadRequest {
  const alternate = request.entry.alternates?.[index];
  if (!alternate) return request;
  const { alternates: _all, onnx: _own, ...shared } = request.entry;
  const entry: ModelVersion = { ...shared, ...alternate };
  return { ...request, entry };
}

/** The key of a version's remembered engine choice (beside the TF.js backend choice's row). */
export async function engineChoiceKey(request: LoadRequest, config: WorkerConfig): Promise<string> {
  return `${await backendChoiceKey(request, config)}|engines`;
}

/** The remembered engine choice of a version on this device, if any. */
export async function rememberedEngine(
  request: LoadRequest,
  config: WorkerConfig,
  database: () => Promise<IDBPDatabase<EdgewatchDB>>,
): Promise<BackendChoiceRow | undefined> {
  if (config.rememberBackend === false) return undefined;
  const key = await engineChoiceKey(request, config);
  return database()
    .then((d) => d.get('backendChoices', key))
    .catch(() => undefined);
}

/**
 * `choice` if it is an engine choice of this version, checked as anything from outside is (a handoff's
 * config, a stored row): of this version, an integer index its `alternates` have (-1: its own).
 */
export function checkedEngineChoice(request: LoadRequest, choice: unknown): MeasuredEngine | undefined {
  if (typeof choice !== 'object' || choice === null) return undefined;
  const { version, alternate, trials } = choice as Partial<MeasuredEngine>;
  const count = request.entry.alternates?.length ?? 0;
  if (version !== request.version || !Number.isInteger(alternate) || (alternate as number) < -1 || (alternate as number) >= count) return undefined;
  return { version, alternate: alternate as number, ...(typeof trials === 'object' && trials !== null ? { trials } : {}) };
}

/** The engine choice a handoff worker was given for this version (`WorkerConfig.measured.engines`), checked. */
export function measuredEngine(request: LoadRequest, config: WorkerConfig): MeasuredEngine | undefined {
  const engines: unknown = config.measured?.engines;
  if (typeof engines !== 'object' || engines === null || !Object.hasOwn(engines, request.name)) return undefined;
  return checkedEngineChoice(request, (engines as Record<string, unknown>)[request.name]);
}

const engineOf = (session: ModelSession): EngineName => session.engine.name;
const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** The engine trials of one version (see the file comment): started once, after its first answer. */
export class EngineTrials {
  private started = false;
  /** Settles when the trials (and a swap, if any) are over. */
  done: Promise<void> | undefined;

  constructor(
    private readonly host: EngineTrialHost,
    /** The version as it was asked for (its own encoding first). */
    private readonly request: LoadRequest,
  ) {}

  /** A prediction was answered: the version's first answer starts the trials, a task later (the answer is posted first). */
  served(by: ModelSession): void {
    if (this.started || by.name !== this.request.name || by.version !== this.request.version) return;
    this.started = true;
    this.done = nextTask()
      .then(() => this.run())
      .catch((error) => {
        // An optimisation: a failure leaves the serving encoding serving.
        const backend = this.host.serving(this.request.name)?.info.backend ?? by.info.backend;
        this.host.report({ ...this.base(backend, backend), rejected: `engine trials stopped: ${String(error)}` });
      });
  }

  private base(backend: BackendName, serving: BackendName) {
    return { type: 'trial', name: this.request.name, version: this.request.version, backend, serving } as const;
  }

  private async run(): Promise<void> {
    await this.host.backendTrialsDone();
    const alternates = this.request.entry.alternates ?? [];
    const speedup = this.host.config.backendSwapSpeedup ?? DEFAULT_SWAP_SPEEDUP;
    // By encoding: `primary` (the version's own, as first timed), `alternate<i>` (with the serving median it was timed against).
    const trials: Record<
      string,
      {
        engine: EngineName;
        backend?: BackendName;
        medianMs?: number;
        servingMs?: number;
        singleMs?: number;
        servingSingleMs?: number;
        maxAbsDiff?: number;
        rejected?: string;
      }
    > = {};
    let chosen = -1;
    for (let index = 0; index < alternates.length; index++) {
      const reference = this.host.serving(this.request.name);
      if (!reference || reference.version !== this.request.version) return; // another version serves now
      const request = encodingRequest(this.request, index);
      const engine = engineFor(request.entry.format).name;
      const servingInfo = this.host.infoOf(reference);
      const base = { ...this.base(servingInfo.name, servingInfo.name), engine, servingEngine: engineOf(reference) };
      let candidate: ModelSession;
      try {
        candidate = await this.host.create(request);
      } catch (error) {
        trials[`alternate${index}`] = { engine, rejected: String(error) };
        this.host.report({ ...base, rejected: String(error) });
        continue;
      }
      const backend = candidate.info.backend;
      const { medianMs, servingMs, singleMs, servingSingleMs, diff } = await this.time(reference, candidate);
      const timed = { medianMs, servingMs, singleMs, servingSingleMs, maxAbsDiff: diff };
      const report = { ...base, backend, ...timed };
      trials.primary ??= { engine: engineOf(reference), backend: servingInfo.name, medianMs: servingMs, singleMs: servingSingleMs, maxAbsDiff: 0 };
      if (diff > TRIAL_TOLERANCE) {
        const rejected = `outputs differ from ${engineOf(reference)} ${servingInfo.name} by ${diff}`;
        trials[`alternate${index}`] = { engine, backend, ...timed, rejected };
        this.host.report({ ...report, rejected });
        candidate.dispose();
        continue;
      }
      trials[`alternate${index}`] = { engine, backend, ...timed };
      this.host.report(report);
      if (!beatsWithoutLoss(servingMs / medianMs, servingSingleMs / singleMs, speedup)) {
        candidate.dispose();
        continue;
      }
      const still = this.host.serving(this.request.name);
      if (still !== reference) {
        candidate.dispose(); // swapped or unloaded meanwhile: the trial's comparison no longer holds
        return;
      }
      const info: BackendInfo = { ...this.host.infoOf(candidate), chosenBy: 'measured', engine: engine };
      this.host.adopt(candidate, info);
      chosen = index;
      this.host.report({
        type: 'changed',
        from: servingInfo.name,
        to: backend,
        fromEngine: engineOf(reference),
        toEngine: engine,
        speedup: servingMs / medianMs,
        singleSpeedup: servingSingleMs / singleMs,
        info,
      });
    }
    this.host.decided(this.request.name, { version: this.request.version, alternate: chosen, trials });
    await this.remember(chosen, trials);
  }

  /**
   * The serving session and the candidate on the same golden rows, A B A B: medians on the batch and per
   * one-row call (each timing the mean over 2 ms of calls, `timeCalls`), and the largest difference.
   */
  private async time(
    reference: ModelSession,
    candidate: ModelSession,
  ): Promise<{ medianMs: number; servingMs: number; singleMs: number; servingSingleMs: number; diff: number }> {
    // The trial batch the backend and thread trials time (golden rows, at most 64 Ki floats: one image of an
    // image model, as a step holds predictions back for its length).
    const { batch, rows } = trialBatch(reference);
    const row = batch.slice(0, reference.features.width);
    const servingTimes: number[] = [];
    const times: number[] = [];
    const servingSingles: number[] = [];
    const singles: number[] = [];
    // One timing per exclusive step (a step holds predictions back for about MIN_TIMING_MS), what queued
    // meanwhile answered between steps; A B A B, the batch then one row.
    const step = async <T>(fn: () => Promise<T>): Promise<T> => {
      const value = await this.host.exclusive(fn);
      await nextTask();
      return value;
    };
    let diff = 0;
    for (let round = 0; round < ROUNDS; round++) {
      // With the TF.js backend to itself: a backend trial step never runs in between.
      const expected = await step(() => timeCalls(() => reference.predictBatch(batch, rows)));
      const outputs = await step(() => timeCalls(() => candidate.predictBatch(batch, rows)));
      servingTimes.push(expected.ms);
      times.push(outputs.ms);
      diff = Math.max(diff, maxAbsDiff(outputs.last, expected.last));
      servingSingles.push((await step(() => timeCalls(() => reference.predictBatch(row, 1)))).ms);
      singles.push((await step(() => timeCalls(() => candidate.predictBatch(row, 1)))).ms);
    }
    return { medianMs: median(times), servingMs: median(servingTimes), singleMs: median(singles), servingSingleMs: median(servingSingles), diff };
  }

  /** The outcome, remembered per device + version: the next start loads the winner and times nothing. */
  private async remember(chosen: number, trials: Readonly<Record<string, unknown>>): Promise<void> {
    if (this.host.config.rememberBackend === false) return;
    const serving = this.host.serving(this.request.name);
    if (!serving) return;
    const key = await engineChoiceKey(this.request, this.host.config);
    const row: BackendChoiceRow = {
      key,
      backend: serving.info.backend,
      engine: engineOf(serving),
      alternate: chosen,
      trials,
      measuredAt: Date.now(),
    };
    await this.host
      .database()
      .then((d) => d.put('backendChoices', row))
      .catch(() => undefined); // a forgotten decision only costs a re-measure next time
  }
}
