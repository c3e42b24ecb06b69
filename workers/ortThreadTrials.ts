/**
 * ONNX Runtime's wasm thread counts, measured on the serving ONNX model, each in its own worker: ORT sizes
 * its pool once, at its first session (`ort.env.wasm.numThreads`), so the serving worker cannot try another
 * count. As {@link measureThreads} does for TF.js: a fresh worker of the same script per count
 * (`backends: ['wasm']`, `wasmThreads: n`) loads the version from the verified artifact cache, says how many
 * threads ORT really started, is timed in-worker A B A B across the counts, and answers the golden records,
 * compared with the serving session's answers. The fastest correct count (at least `backendSwapSpeedup`
 * faster than the running count, on the trial batch and on one row: `pickThreads`) is remembered per
 * device + version (a `backendChoices` row keyed `…|ort-threads`) and takes over at once through a handoff
 * (a new worker whose ORT starts with that count: `WorkerConfig.measured.ortThreads`), as a TF.js thread
 * count does; `runtime.backend()` reports the medians as `threadTrials`.
 *
 * Started once per worker, on the first answer of an ORT session on wasm (its own ONNX version, or an
 * alternate an engine trial swapped in), after the backend and engine trials; only under `backends: 'auto'`
 * with `wasmThreads: 'auto'`, where the page is cross-origin isolated and has two cores or more.
 */
import { releaseProxy, wrap } from 'comlink';
import type { IDBPDatabase } from 'idb';
import type { BackendChoiceRow, EdgewatchDB } from '../src/storage/db.ts';
import { TRIAL_TOLERANCE } from './backgroundTrials.ts';
import { backendChoiceKey } from './chooseBackend.ts';
import { EngineName } from './engines/Engine.ts';
import { ortThreads } from './engines/ortEngine.ts';
import { BackendName, type BackendReport, type LoadRequest, type WorkerApi, type WorkerConfig } from './protocol.ts';
import type { ModelSession } from './session.ts';
import { storedThreadCount } from './threadCount.ts';
import { threadCounts } from './threadTrials.ts';
import { DEFAULT_SWAP_SPEEDUP, maxAbsDiff, median, pickThreads } from './trialRules.ts';

const ROUNDS = 5;
/** Golden records answered by each count, compared with the serving session. */
const CHECK_ROWS = 32;

/** One thread count's outcome. */
export interface OrtThreadTrial {
  /** Threads ORT started in that worker (what it asked for, or fewer where ORT could not). */
  readonly threads: number;
  /** Median ms on the trial batch. */
  readonly medianMs?: number;
  /** Median ms on one row (a count must win there too: most pages predict a row at a time). */
  readonly singleMs?: number;
  readonly maxAbsDiff?: number;
  readonly rejected?: string;
}

/** What the ORT thread trials need of the worker's sessions. */
export interface OrtThreadTrialHost {
  readonly config: WorkerConfig;
  /** The serving session of a model, if any. */
  serving(name: string): ModelSession | undefined;
  /** Settles once the backend and engine trials are over (their timings would share the cores). */
  otherTrialsDone(): Promise<void>;
  /** The measured medians by thread count (`backend()`'s `threadTrials` for ORT). */
  adopt(threadTrials: Readonly<Record<string, number>>): void;
  /**
   * Asks the runtime for a worker whose ORT starts with `threads` (its pool is sized once, at its first
   * session): undefined once that worker serves, else why not (this one keeps serving).
   */
  handoff(threads: number, threadTrials: Readonly<Record<string, number>>, speedup: number): Promise<string | undefined>;
  report(report: BackendReport): void;
  database(): Promise<IDBPDatabase<EdgewatchDB>>;
}

/** The key of a version's remembered ORT thread count (beside its backend and engine choice rows). */
export async function ortThreadsKey(request: LoadRequest, config: WorkerConfig): Promise<string> {
  return `${await backendChoiceKey(request, config)}|ort-threads`;
}

/**
 * Threads ORT's wasm should start with for `request`: the configured number, else (under `'auto'`) the
 * remembered measurement of this device and version; undefined: ORT's own default.
 */
export async function ortThreadsFor(
  request: LoadRequest,
  config: WorkerConfig,
  database: () => Promise<IDBPDatabase<EdgewatchDB>>,
): Promise<number | undefined> {
  if (typeof config.wasmThreads === 'number') return config.wasmThreads;
  if (config.rememberBackend === false || config.backends !== 'auto') return undefined;
  const key = await ortThreadsKey(request, config);
  const row = await database()
    .then((d) => d.get('backendChoices', key))
    .catch(() => undefined);
  return storedThreadCount(row?.threads);
}

/** Median ms, answers and ORT's real thread count per asked count for `request`, each count in its own worker. */
export async function measureOrtThreads(
  request: LoadRequest,
  config: WorkerConfig,
  counts: readonly number[],
  reference?: { readonly records: readonly Record<string, unknown>[]; readonly scores: Float32Array },
): Promise<Map<number, OrtThreadTrial>> {
  const children = counts.map((asked) => {
    const worker = new Worker((globalThis as unknown as { location: Location }).location.href, { type: 'module', name: `edgewatch-ort-threads-${asked}` });
    return { asked, worker, api: wrap<WorkerApi>(worker) };
  });
  const outcomes = new Map<number, OrtThreadTrial>();
  try {
    const { lifeLock: _own, ...rest } = config;
    const loaded: typeof children = [];
    for (const child of children) {
      try {
        await child.api.configure({ ...rest, backends: [BackendName.wasm], wasmThreads: child.asked, rememberBackend: false, monitoring: false });
        await child.api.load(request);
        const threads = (await child.api.backend())?.threads ?? 1;
        let diff: number | undefined;
        if (reference) diff = maxAbsDiff((await child.api.predict(request.name, reference.records as never)).scores, reference.scores);
        if (diff !== undefined && !(diff <= TRIAL_TOLERANCE)) {
          outcomes.set(child.asked, { threads, maxAbsDiff: diff, rejected: `outputs differ from the serving session by ${diff}` });
          continue;
        }
        outcomes.set(child.asked, { threads, ...(diff !== undefined ? { maxAbsDiff: diff } : {}) });
        loaded.push(child);
      } catch (error) {
        outcomes.set(child.asked, { threads: child.asked, rejected: String(error) });
      }
    }
    const times = new Map<number, number[]>(loaded.map((c) => [c.asked, []]));
    const singles = new Map<number, number[]>(loaded.map((c) => [c.asked, []]));
    // A B A B, the batch then one row; round 0 warms each worker up and is not counted.
    for (let round = 0; round <= ROUNDS; round++) {
      for (const child of loaded) {
        const batch = await child.api.timeModel(request.name, 1);
        const one = await child.api.timeModel(request.name, 1, 1);
        if (round === 0) continue;
        times.get(child.asked)?.push(batch);
        singles.get(child.asked)?.push(one);
      }
    }
    for (const [asked, values] of times)
      outcomes.set(asked, { ...(outcomes.get(asked) as OrtThreadTrial), medianMs: median(values), singleMs: median(singles.get(asked) ?? []) });
    return outcomes;
  } finally {
    for (const child of children) {
      child.api[releaseProxy]();
      child.worker.terminate();
    }
  }
}

const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** The ORT thread trials of one worker (see the file comment). */
export class OrtThreadTrials {
  private started = false;
  /** Settles when the trials are over. */
  done: Promise<void> | undefined;

  constructor(private readonly host: OrtThreadTrialHost) {}

  /** Whether trials can run in this worker at all (settings, isolation, cores). */
  static wanted(config: WorkerConfig): boolean {
    return config.backends === 'auto' && (config.wasmThreads ?? 'auto') === 'auto' && threadCounts().length >= 2;
  }

  /** A prediction was answered: the first by an ORT session on wasm starts the trials, a task later. */
  served(by: ModelSession): void {
    if (this.started || by.engine.name !== EngineName.ort || by.info.backend !== BackendName.wasm) return;
    this.started = true;
    this.done = nextTask()
      .then(() => this.run(by))
      .catch((error) => {
        // An optimisation: a failure leaves ORT's pool as it is, unmeasured next time too.
        this.host.report({ ...this.base(by), rejected: `ORT thread trials stopped: ${String(error)}` });
      });
  }

  private base(by: ModelSession) {
    return {
      type: 'trial',
      name: by.name,
      version: by.version,
      backend: BackendName.wasm,
      serving: BackendName.wasm,
      engine: EngineName.ort,
      servingEngine: EngineName.ort,
    } as const;
  }

  private async run(by: ModelSession): Promise<void> {
    await this.host.otherTrialsDone();
    const session = this.host.serving(by.name);
    // Another version or engine serves now: its own first answer does not start these again (once per worker).
    if (session?.engine.name !== EngineName.ort || session.info.backend !== BackendName.wasm) return;
    const counts = threadCounts();
    const goldens = session.entry.goldens ?? [];
    let reference: { records: Record<string, unknown>[]; scores: Float32Array } | undefined;
    if (goldens.length > 0) {
      const records = Array.from({ length: CHECK_ROWS }, (_, i) => goldens[i % goldens.length].record as Record<string, unknown>);
      reference = { records, scores: await session.predictBatch(session.features.transform(records as never), records.length) };
    }
    const outcomes = await measureOrtThreads(session.request, this.host.config, counts, reference);
    const running = ortThreads() ?? 1;
    const servingMs = outcomes.get(running)?.medianMs;
    const speedup = this.host.config.backendSwapSpeedup ?? DEFAULT_SWAP_SPEEDUP;
    const medians: Record<string, number> = {};
    const batch: Record<number, number> = {};
    const single: Record<number, number> = {};
    for (const [asked, outcome] of outcomes) {
      if (outcome.medianMs !== undefined) medians[outcome.threads] = outcome.medianMs;
      // Only a count ORT really ran (no pool where it could not start one) can win.
      if (!outcome.rejected && outcome.threads === asked && outcome.medianMs !== undefined && outcome.singleMs !== undefined) {
        batch[asked] = outcome.medianMs;
        single[asked] = outcome.singleMs;
      }
      if (asked !== running) this.host.report({ ...this.base(session), servingMs, ...outcome });
    }
    const best = pickThreads(batch, single, speedup, running);
    this.host.adopt(medians);
    if (servingMs === undefined) return;
    if (this.host.config.rememberBackend !== false) await this.remember(session, best, medians, outcomes);
    if (best === running) return;
    const refused = await this.host.handoff(best, medians, servingMs / batch[best]).catch((error: unknown) => String(error));
    // Refused (no worker to hand over to, say): this one serves on; the remembered count applies at the next start.
    if (refused !== undefined) this.host.report({ ...this.base(session), threads: best, rejected: `handoff to ${best} ORT threads failed: ${refused}` });
  }

  private async remember(session: ModelSession, best: number, medians: Record<string, number>, outcomes: Map<number, OrtThreadTrial>): Promise<void> {
    const row: BackendChoiceRow = {
      key: await ortThreadsKey(session.request, this.host.config),
      backend: BackendName.wasm,
      engine: EngineName.ort,
      threads: best,
      trials: { threads: medians, outcomes: Object.fromEntries(outcomes) },
      measuredAt: Date.now(),
    };
    await this.host
      .database()
      .then((d) => d.put('backendChoices', row))
      .catch(() => undefined); // a forgotten decision only costs a re-measure next time
  }
}
