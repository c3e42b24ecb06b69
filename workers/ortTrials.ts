/**
 * ONNX Runtime's execution provider and wasm thread count, measured on the serving ONNX model, each
 * candidate in its own worker: ORT sizes its wasm pool once, at its first session
 * (`ort.env.wasm.numThreads`), and one worker runs one ORT build, so the serving worker cannot try
 * another. As the TF.js backend trials do: a fresh worker of the same script per candidate — wasm with
 * `wasmThreads: n` for 1…`hardwareConcurrency` (cross-origin isolated pages with two cores or more), and
 * ORT's WebGPU EP (not on a software adapter unless `backendTrials` names webgpu: there it is 20–130×
 * slower) — loads the version from the verified artifact cache, says what ORT really started, answers the
 * golden records (compared with the serving session) and is timed in-worker A B A B on the trial batch and
 * on one row. The fastest correct candidate at least `backendSwapSpeedup` faster than what serves on both
 * (`pickFasterOnBoth`) is remembered per device + version (a `backendChoices` row keyed `…|ort`) and takes
 * over at once through a handoff: a new worker whose ORT starts on it (`WorkerConfig.measured.ortBackend`,
 * `.ortThreads`), as a TF.js backend or thread count does. `runtime.backend()` reports the medians as
 * `threadTrials` and `trials`.
 *
 * Started once per worker, on the first answer of an ORT session on wasm (its own ONNX version, or an
 * alternate an engine trial swapped in), after the backend and engine trials; only under
 * `backends: 'auto'` with `wasmThreads: 'auto'`.
 */
import { releaseProxy, wrap } from 'comlink';
import type { IDBPDatabase } from 'idb';
import { hasWebGPU } from '../src/env.ts';
import type { BackendChoiceRow, EdgewatchDB } from '../src/storage/db.ts';
import { webgpuAdapterInfo } from './backend.ts';
import { TRIAL_TOLERANCE } from './backgroundTrials.ts';
import { backendChoiceKey } from './chooseBackend.ts';
import { EngineName } from './engines/Engine.ts';
import { MIN_TIMING_MS } from './timeCalls.ts';
import { ortThreads } from './engines/ortEngine.ts';
import { BackendName, type BackendInfo, type BackendReport, type LoadRequest, type WorkerApi, type WorkerConfig } from './protocol.ts';
import type { ModelSession } from './session.ts';
import { storedThreadCount } from './threadCount.ts';
import { threadCounts } from './threadTrials.ts';
import { DEFAULT_SWAP_SPEEDUP, maxAbsDiff, median, pickFasterOnBoth } from './trialRules.ts';

const ROUNDS = 5;
/** Golden records answered by each candidate, compared with the serving session. */
const CHECK_ROWS = 32;

/** What ORT may run on: an execution provider, and on wasm a thread count. */
export interface OrtCandidate {
  readonly backend: typeof BackendName.wasm | typeof BackendName.webgpu;
  /** wasm only: the threads asked for. */
  readonly threads?: number;
}

/** One candidate's outcome. */
export interface OrtTrial {
  readonly backend: OrtCandidate['backend'];
  /** Threads ORT started in that worker on wasm (what it asked for, or fewer where ORT could not). */
  readonly threads?: number;
  /** Median ms on the trial batch. */
  readonly medianMs?: number;
  /** Median ms on one row (a candidate must win there too: most pages predict a row at a time). */
  readonly singleMs?: number;
  readonly maxAbsDiff?: number;
  readonly rejected?: string;
  readonly skipped?: string;
}

/** A wasm thread count's outcome ({@link measureOrtThreads}). */
export type OrtThreadTrial = OrtTrial & { readonly threads: number };

/** A candidate's label in outcomes and remembered trials: `wasm×2`, `webgpu`. */
export const candidateLabel = (c: OrtCandidate): string => (c.backend === BackendName.wasm ? `wasm×${c.threads ?? 1}` : c.backend);

/** What the ORT trials need of the worker's sessions. */
export interface OrtTrialHost {
  readonly config: WorkerConfig;
  /** The serving session of a model, if any. */
  serving(name: string): ModelSession | undefined;
  /** Settles once the backend and engine trials are over (their timings would share the cores). */
  otherTrialsDone(): Promise<void>;
  /**
   * The measured medians: by wasm thread count, and by backend (`backend()`'s `threadTrials` and `trials`
   * for ORT); no `threadTrials`: nothing was timed (only why not), and what serves was not measured.
   */
  adopt(threadTrials: Readonly<Record<string, number>> | undefined, trials: BackendInfo['trials']): void;
  /**
   * Asks the runtime for a worker whose ORT starts on `to` (its pool is sized once, at its first session;
   * one worker runs one ORT build): undefined once that worker serves, else why not (this one serves on).
   */
  handoff(
    to: OrtCandidate,
    measured: { threadTrials: Readonly<Record<string, number>>; trials: BackendInfo['trials'] },
    speedup: number,
  ): Promise<string | undefined>;
  report(report: BackendReport): void;
  database(): Promise<IDBPDatabase<EdgewatchDB>>;
}

/** The key of a version's remembered ORT choice (beside its backend and engine choice rows). */
export async function ortChoiceKey(request: LoadRequest, config: WorkerConfig): Promise<string> {
  return `${await backendChoiceKey(request, config)}|ort`;
}

/**
 * What ORT should start on for `request`: the configured thread count, else (under `'auto'`) the
 * remembered measurement of this device and version; empty: ORT's own default (wasm, its thread default).
 */
export async function ortChoiceFor(
  request: LoadRequest,
  config: WorkerConfig,
  database: () => Promise<IDBPDatabase<EdgewatchDB>>,
): Promise<Partial<OrtCandidate>> {
  if (typeof config.wasmThreads === 'number') return { threads: config.wasmThreads };
  if (config.rememberBackend === false || config.backends !== 'auto') return {};
  const key = await ortChoiceKey(request, config);
  const row = await database()
    .then((d) => d.get('backendChoices', key))
    .catch(() => undefined);
  // The row is hostile until checked: a backend ORT runs, a thread count this device has.
  if (row?.backend === BackendName.webgpu) return { backend: BackendName.webgpu };
  if (row?.backend !== BackendName.wasm) return {};
  const threads = storedThreadCount(row.threads);
  return threads === undefined ? {} : { backend: BackendName.wasm, threads };
}

type Reference = { readonly records: readonly Record<string, unknown>[]; readonly scores: Float32Array };

/** Median ms (trial batch, one row), answers and what ORT really started, per candidate for `request`, each in its own worker. */
export async function measureOrt(
  request: LoadRequest,
  config: WorkerConfig,
  candidates: readonly OrtCandidate[],
  reference?: Reference,
): Promise<Map<string, OrtTrial>> {
  const children = candidates.map((candidate) => {
    const label = candidateLabel(candidate);
    const worker = new Worker((globalThis as unknown as { location: Location }).location.href, { type: 'module', name: `edgewatch-ort-${label}` });
    return { candidate, label, worker, api: wrap<WorkerApi>(worker) };
  });
  const outcomes = new Map<string, OrtTrial>();
  try {
    const { lifeLock: _own, measured: _handoff, ...rest } = config;
    const loaded: typeof children = [];
    for (const child of children) {
      const { backend } = child.candidate;
      try {
        await child.api.configure({ ...rest, backends: [backend], wasmThreads: child.candidate.threads ?? 1, rememberBackend: false, monitoring: false });
        await child.api.load(request);
        const info = await child.api.backend();
        if (info?.name !== backend) throw new Error(`ORT started ${info?.name ?? 'nothing'}, not ${backend}`);
        const threads = backend === BackendName.wasm ? (info.threads ?? 1) : undefined;
        let diff: number | undefined;
        if (reference) diff = maxAbsDiff((await child.api.predict(request.name, reference.records as never)).scores, reference.scores);
        if (diff !== undefined && !(diff <= TRIAL_TOLERANCE)) {
          outcomes.set(child.label, { backend, threads, maxAbsDiff: diff, rejected: `outputs differ from the serving session by ${diff}` });
          continue;
        }
        outcomes.set(child.label, { backend, threads, ...(diff !== undefined ? { maxAbsDiff: diff } : {}) });
        loaded.push(child);
      } catch (error) {
        outcomes.set(child.label, { backend, threads: child.candidate.threads, rejected: String(error) });
      }
    }
    const times = new Map<string, number[]>(loaded.map((c) => [c.label, []]));
    const singles = new Map<string, number[]>(loaded.map((c) => [c.label, []]));
    // A B A B, the batch then one row; round 0 warms each worker up (shaders, caches) and is not counted.
    for (let round = 0; round <= ROUNDS; round++) {
      for (const child of loaded) {
        const batch = await child.api.timeModel(request.name, 1, undefined, MIN_TIMING_MS);
        const one = await child.api.timeModel(request.name, 1, 1, MIN_TIMING_MS);
        if (round === 0) continue;
        times.get(child.label)?.push(batch);
        singles.get(child.label)?.push(one);
      }
    }
    for (const [label, values] of times)
      outcomes.set(label, { ...(outcomes.get(label) as OrtTrial), medianMs: median(values), singleMs: median(singles.get(label) ?? []) });
    return outcomes;
  } finally {
    for (const child of children) {
      child.api[releaseProxy]();
      child.worker.terminate();
    }
  }
}

/** {@link measureOrt} on wasm thread counts only, keyed by the count asked. */
export async function measureOrtThreads(
  request: LoadRequest,
  config: WorkerConfig,
  counts: readonly number[],
  reference?: Reference,
): Promise<Map<number, OrtThreadTrial>> {
  const outcomes = await measureOrt(
    request,
    config,
    counts.map((threads) => ({ backend: BackendName.wasm, threads })),
    reference,
  );
  return new Map(counts.map((n) => [n, { ...(outcomes.get(`wasm×${n}`) as OrtTrial), threads: outcomes.get(`wasm×${n}`)?.threads ?? n }]));
}

const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** The ORT trials of one worker (see the file comment). */
export class OrtTrials {
  private started = false;
  /** Settles when the trials are over. */
  done: Promise<void> | undefined;

  constructor(private readonly host: OrtTrialHost) {}

  /** Whether trials can run in this worker at all (settings; then isolation and cores, or a GPU). */
  static wanted(config: WorkerConfig): boolean {
    return config.backends === 'auto' && (config.wasmThreads ?? 'auto') === 'auto' && (threadCounts().length >= 2 || hasWebGPU());
  }

  /** A prediction was answered: the first by an ORT session on wasm starts the trials, a task later. */
  served(by: ModelSession): void {
    if (this.started || by.engine.name !== EngineName.ort || by.info.backend !== BackendName.wasm) return;
    this.started = true;
    this.done = nextTask()
      .then(() => this.run(by))
      .catch((error) => {
        // An optimisation: a failure leaves ORT as it is, unmeasured next time too.
        this.host.report({ ...this.base(by, BackendName.wasm), rejected: `ORT trials stopped: ${String(error)}` });
      });
  }

  private base(by: ModelSession, backend: BackendName) {
    return {
      type: 'trial',
      name: by.name,
      version: by.version,
      backend,
      serving: BackendName.wasm,
      engine: EngineName.ort,
      servingEngine: EngineName.ort,
    } as const;
  }

  /** What to time: the running wasm count (the reference), the other counts, and WebGPU unless skipped. */
  private async candidates(running: number): Promise<{ candidates: OrtCandidate[]; skipped?: string }> {
    const counts = threadCounts();
    const candidates: OrtCandidate[] = (counts.length >= 2 ? counts : [running]).map((threads) => ({ backend: BackendName.wasm, threads }));
    if (!hasWebGPU()) return { candidates };
    const asked = this.host.config.backendTrials;
    if (asked && !asked.includes(BackendName.webgpu)) return { candidates, skipped: 'not in backendTrials' };
    if (!asked && (await webgpuAdapterInfo())?.fallback !== false) return { candidates, skipped: 'software WebGPU adapter' };
    return { candidates: [...candidates, { backend: BackendName.webgpu }] };
  }

  private async run(by: ModelSession): Promise<void> {
    await this.host.otherTrialsDone();
    const session = this.host.serving(by.name);
    // Another version or engine serves now: its own first answer does not start these again (once per worker).
    if (session?.engine.name !== EngineName.ort || session.info.backend !== BackendName.wasm) return;
    const running = ortThreads() ?? 1;
    const { candidates, skipped } = await this.candidates(running);
    if (candidates.length < 2) {
      // Nothing to time: no event, nothing remembered (the page may be isolated next time); backend() says why.
      if (skipped) this.host.adopt(undefined, { [BackendName.webgpu]: { rejected: `skipped: ${skipped}` } });
      return;
    }
    if (skipped) this.host.report({ ...this.base(session, BackendName.webgpu), skipped });
    const goldens = session.entry.goldens ?? [];
    let reference: Reference | undefined;
    if (goldens.length > 0) {
      const records = Array.from({ length: CHECK_ROWS }, (_, i) => goldens[i % goldens.length].record as Record<string, unknown>);
      reference = { records, scores: await session.predictBatch(session.features.transform(records as never), records.length) };
    }
    const outcomes = await measureOrt(session.request, this.host.config, candidates, reference);
    const servingLabel = `wasm×${running}`;
    const servingMs = outcomes.get(servingLabel)?.medianMs;
    const speedup = this.host.config.backendSwapSpeedup ?? DEFAULT_SWAP_SPEEDUP;
    const threadTrials: Record<string, number> = {};
    const trials: Partial<Record<BackendName, { medianMs?: number; maxAbsDiff?: number; rejected?: string }>> = skipped
      ? { [BackendName.webgpu]: { rejected: `skipped: ${skipped}` } }
      : {};
    const batch: Record<string, number> = {};
    const single: Record<string, number> = {};
    for (const candidate of candidates) {
      const label = candidateLabel(candidate);
      const outcome = outcomes.get(label) as OrtTrial;
      if (outcome.backend === BackendName.wasm && outcome.medianMs !== undefined) threadTrials[outcome.threads ?? 1] = outcome.medianMs;
      if (outcome.backend === BackendName.webgpu || outcome.threads === running) {
        const { medianMs, maxAbsDiff, rejected } = outcome;
        trials[outcome.backend] = { medianMs, maxAbsDiff, ...(rejected ? { rejected } : {}) };
      }
      // Only what ORT really ran (a pool where it could start one) can win.
      if (!outcome.rejected && outcome.threads === candidate.threads && outcome.medianMs !== undefined && outcome.singleMs !== undefined) {
        batch[label] = outcome.medianMs;
        single[label] = outcome.singleMs;
      }
      if (label !== servingLabel) this.host.report({ ...this.base(session, outcome.backend), servingMs, ...outcome });
    }
    const bestLabel = pickFasterOnBoth(batch, single, speedup, servingLabel);
    const best = candidates.find((c) => candidateLabel(c) === bestLabel) as OrtCandidate;
    this.host.adopt(threadTrials, trials);
    if (servingMs === undefined) return;
    if (this.host.config.rememberBackend !== false) await this.remember(session, best, threadTrials, outcomes);
    if (bestLabel === servingLabel) return;
    const refused = await this.host.handoff(best, { threadTrials, trials }, servingMs / batch[bestLabel]).catch((error: unknown) => String(error));
    // Refused (no worker to hand over to, say): this one serves on; the remembered choice applies at the next start.
    if (refused !== undefined)
      this.host.report({
        ...this.base(session, best.backend),
        ...(best.threads ? { threads: best.threads } : {}),
        rejected: `handoff to ORT ${bestLabel} failed: ${refused}`,
      });
  }

  private async remember(session: ModelSession, best: OrtCandidate, threadTrials: Record<string, number>, outcomes: Map<string, OrtTrial>): Promise<void> {
    const row: BackendChoiceRow = {
      key: await ortChoiceKey(session.request, this.host.config),
      backend: best.backend,
      engine: EngineName.ort,
      ...(best.threads !== undefined ? { threads: best.threads } : {}),
      trials: { threads: threadTrials, outcomes: Object.fromEntries(outcomes) },
      measuredAt: Date.now(),
    };
    await this.host
      .database()
      .then((d) => d.put('backendChoices', row))
      .catch(() => undefined); // a forgotten decision only costs a re-measure next time
  }
}
