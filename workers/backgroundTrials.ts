/**
 * Under `backends: 'auto'`, after the first backend serves: the other candidates timed against it in the
 * background, and the serving models moved (hot swap) to one that is faster and correct.
 *
 * TF.js has one active backend per worker, so a trial borrows it: each step (start the candidate and
 * load the model on it; then one round of serving, candidate — A B A B) runs with the backend to itself
 * ({@link TrialHost.exclusive}: loads wait, predictions wait, the serving backend is active again when
 * it ends) and the worker answers what queued in between steps. Tensors belong to the backend that made
 * them, so a batch reading its outputs while a step runs is unaffected. What would hold callers up for
 * seconds is not timed unless asked (`backendTrials`): cpu once wasm runs (never faster on a model worth
 * measuring, and a trial on an image model blocks the thread for seconds), WebGPU and WebGL on a software
 * adapter (SwiftShader: 20–130× slower than wasm, and shader compilation blocks the thread). A candidate
 * 3× slower than the serving backend in its first round is not timed further.
 */
import * as tf from '@tensorflow/tfjs';
import type { IDBPDatabase } from 'idb';
import { EdgewatchError, ErrorCode } from '../src/errors.ts';
import type { EdgewatchDB } from '../src/storage/db.ts';
import { type BackendTrial, backendOrder, backends, isSoftwareRenderer, webglRenderer } from './backend.ts';
import { backendChoiceKey } from './chooseBackend.ts';
import { BackendName, type BackendInfo, type BackendReport, type BackendTrialReport, type LoadRequest, type WorkerConfig } from './protocol.ts';
import { ModelSession } from './session.ts';
import { measureThreads, threadCounts } from './threadTrials.ts';
import { DEFAULT_SWAP_SPEEDUP, pickFaster, trialCandidates, maxAbsDiff, median } from './trialRules.ts';

/** Largest output difference from the serving backend a candidate may show. */
export const TRIAL_TOLERANCE = 1e-3;
const TRIAL_ROUNDS = 5;
/** Timing stops after this long per candidate (at least one round runs). */
const TRIAL_BUDGET_MS = 1500;
/** A candidate this many times slower than the serving backend in its first round is not timed further. */
const GIVE_UP_RATIO = 3;
/** Floats in the trial batch: 32 rows of a small model, one image of a large one. */
const TRIAL_FLOATS = 1 << 16;
/** Without a first prediction, trials start this long after the first model is ready. */
export const TRIAL_IDLE_START_MS = 2000;

/** What the trials need of the worker's sessions. */
export interface TrialHost {
  readonly config: WorkerConfig;
  /** The backend serving now. */
  readonly chosen: BackendInfo;
  /** The serving sessions by model name. */
  serving(): ReadonlyMap<string, ModelSession>;
  /** Runs `fn` with the TF.js backend to itself; the serving backend is made active again afterwards. */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
  /** Verified artifacts of a version (the cache first). */
  files(request: LoadRequest): Promise<ReadonlyMap<string, Uint8Array>>;
  /** Swaps every serving session for its replacement on `info.name` in one step; the old ones retire. */
  adopt(info: BackendInfo, replacements: ReadonlyMap<string, ModelSession>): void;
  report(report: BackendReport): void;
  database(): Promise<IDBPDatabase<EdgewatchDB>>;
}

const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** Makes `name` the active TF.js backend (already initialised: the switch itself is synchronous). */
async function activate(name: BackendName): Promise<void> {
  if (tf.getBackend() !== name && !(await tf.setBackend(name))) throw new Error(`tf.setBackend('${name}') returned false`);
}

/** The background trials of one worker: started once, after the first model serves. */
export class BackgroundTrials {
  private started = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Settles when the trials (and a swap, if any) are over. */
  done: Promise<void> | undefined;

  constructor(
    private readonly host: TrialHost,
    /** The model the trials run on (the worker's first) and its verified artifacts. */
    private readonly request: LoadRequest,
    private readonly files: ReadonlyMap<string, Uint8Array>,
  ) {}

  /** Starts after the first prediction is answered, or after {@link TRIAL_IDLE_START_MS} without one. */
  schedule(): void {
    this.timer = setTimeout(() => this.start(), TRIAL_IDLE_START_MS);
  }

  /** A prediction was answered: the first one is what trials wait for. */
  served(): void {
    if (this.started) return;
    clearTimeout(this.timer);
    // The next task: the answer is posted first.
    this.timer = setTimeout(() => this.start(), 0);
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    this.done = this.run().catch((error) => {
      // Trials are an optimisation: a failure leaves the first backend serving, unmeasured next time too.
      this.host.report({
        type: 'trial',
        name: this.request.name,
        version: this.request.version,
        backend: this.host.chosen.name,
        serving: this.host.chosen.name,
        rejected: `trials stopped: ${String(error)}`,
      });
    });
  }

  private async run(): Promise<void> {
    const { config } = this.host;
    const serving = this.host.chosen.name;
    const order = backendOrder(config.backends).map((b) => b.name);
    const device = {
      webgpuFallback: this.host.chosen.webgpuFallbackAdapter,
      webglSoftware: order.includes(BackendName.webgl) && !config.backendTrials ? isSoftwareRenderer(webglRenderer()) : false,
    };
    const reports: BackendTrialReport[] = [];
    let best: { report: BackendTrialReport; session: ModelSession } | undefined;
    const speedup = config.backendSwapSpeedup ?? DEFAULT_SWAP_SPEEDUP;
    for (const candidate of trialCandidates(serving, order, device, config.backendTrials)) {
      const base = { type: 'trial', name: this.request.name, version: this.request.version, backend: candidate.name, serving } as const;
      let report: BackendTrialReport;
      let session: ModelSession | undefined;
      if (candidate.skipped) {
        report = { ...base, skipped: candidate.skipped };
      } else {
        const outcome = await this.trial(candidate.name);
        report = { ...base, ...outcome.result };
        session = outcome.session;
      }
      reports.push(report);
      this.host.report(report);
      if (session && pickFaster(best ? [best.report, report] : [report], speedup) === report) {
        best?.session.dispose();
        best = { report, session };
      } else {
        session?.dispose();
      }
    }
    if (best) await this.swap(best.report, best.session);
    const threads = await this.threads(speedup);
    await this.remember(reports, threads);
  }

  /**
   * wasm thread counts, where the page is cross-origin isolated and wasm serves: timed each in its own
   * worker (`threadTrials.ts`); the fastest (≥ `speedup` over 1 thread) is remembered for the next start.
   */
  private async threads(speedup: number): Promise<{ threads: number; medians: Record<number, number> } | undefined> {
    const { config } = this.host;
    const counts = threadCounts();
    if (this.host.chosen.name !== 'wasm' || (config.wasmThreads ?? 'auto') !== 'auto' || counts.length < 2) return undefined;
    let medians: Record<number, number>;
    try {
      medians = await measureThreads(this.request, config, counts);
    } catch (error) {
      this.host.report({ ...this.base('wasm'), threads: counts[1], rejected: `thread trials failed: ${String(error)}` });
      return undefined;
    }
    let threads = 1;
    for (const n of counts.slice(1)) {
      this.host.report({ ...this.base('wasm'), threads: n, medianMs: medians[n], servingMs: medians[1] });
      if (medians[1] / medians[n] >= speedup && medians[n] < medians[threads]) threads = n;
    }
    return { threads, medians };
  }

  private base(backend: BackendName) {
    return { type: 'trial', name: this.request.name, version: this.request.version, backend, serving: this.host.chosen.name } as const;
  }

  /** Starts `name`, loads the model on it and times it against the serving session, A B A B. */
  private async trial(
    name: BackendName,
  ): Promise<{ result: Omit<BackendTrialReport, 'type' | 'name' | 'version' | 'backend' | 'serving'>; session?: ModelSession }> {
    const backend = backends.find((b) => b.name === name) as (typeof backends)[number];
    let session: ModelSession | undefined;
    try {
      session = await this.host.exclusive(async () => {
        const reason = await backend.probe();
        if (reason !== null) throw new EdgewatchError(ErrorCode.BACKEND_UNAVAILABLE, reason, { backend: name });
        return ModelSession.create(this.request, this.files, name);
      });
    } catch (error) {
      return { result: { rejected: String(error) } };
    }
    try {
      const reference = this.host.serving().get(this.request.name);
      if (!reference) return { result: { rejected: 'the model stopped serving' }, session: dispose(session) };
      const width = session.features.width;
      const rows = Math.max(1, Math.min(32, Math.floor(TRIAL_FLOATS / width)));
      const batch = new Float32Array(rows * width);
      const goldens = this.request.entry.goldens ?? [];
      if (goldens.length > 0) {
        // Real records where the publisher gave some: zeros hide numerical differences between backends.
        batch.set(session.features.transform(Array.from({ length: rows }, (_, i) => goldens[i % goldens.length].record)));
      }
      const servingTimes: number[] = [];
      const times: number[] = [];
      let expected: Float32Array = new Float32Array(0);
      let outputs: Float32Array = new Float32Array(0);
      const started = performance.now();
      const candidate = session;
      while (times.length < TRIAL_ROUNDS && (times.length === 0 || performance.now() - started < TRIAL_BUDGET_MS)) {
        await this.host.exclusive(async () => {
          let t0 = performance.now();
          expected = await reference.predictBatch(batch, rows);
          servingTimes.push(performance.now() - t0);
          await activate(name);
          t0 = performance.now();
          outputs = await candidate.predictBatch(batch, rows);
          times.push(performance.now() - t0);
        });
        if (times.length === 1 && times[0] > GIVE_UP_RATIO * servingTimes[0]) break;
        await nextTask(); // what queued meanwhile is answered before the next round
      }
      const diff = maxAbsDiff(outputs, expected);
      const result = { medianMs: median(times), servingMs: median(servingTimes), maxAbsDiff: diff };
      if (diff > TRIAL_TOLERANCE)
        return { result: { ...result, rejected: `outputs differ from ${reference.info.backend} by ${diff}` }, session: dispose(session) };
      return { result, session };
    } catch (error) {
      return { result: { rejected: String(error) }, session: dispose(session) };
    }
  }

  /** Moves every serving model to the candidate's backend in one step; the old sessions retire. */
  private async swap(report: BackendTrialReport, trialSession: ModelSession): Promise<void> {
    const to = report.backend;
    const from = this.host.chosen.name;
    const replacements = new Map<string, ModelSession>();
    try {
      for (const [model, session] of this.host.serving()) {
        if (model === trialSession.name && session.version === trialSession.version) {
          replacements.set(model, trialSession);
          continue;
        }
        const files = await this.host.files(session.request);
        replacements.set(
          model,
          await this.host.exclusive(async () => {
            await activate(to);
            return ModelSession.create(session.request, files, to);
          }),
        );
      }
    } catch (error) {
      for (const session of replacements.values()) session.dispose();
      if (![...replacements.values()].includes(trialSession)) trialSession.dispose();
      throw error;
    }
    if (!replacements.has(trialSession.name)) trialSession.dispose(); // the version was replaced meanwhile
    const speedup = (report.servingMs as number) / (report.medianMs as number);
    await this.host.exclusive(async () => {
      // Nothing else may run between the backend switch and the sessions' swap.
      await activate(to);
      const before = this.host.chosen;
      const { threads: _wasmOnly, ...rest } = before;
      const info: BackendInfo = { ...rest, name: to, available: [...new Set([from, to, ...before.available])], chosenBy: 'measured' };
      this.host.adopt(info, replacements);
    });
    this.host.report({ type: 'changed', from, to, speedup, info: this.host.chosen });
  }

  /** The outcome, remembered per device + model version (`rememberBackend`), and in `backend()`'s trials. */
  private async remember(reports: readonly BackendTrialReport[], threads?: { threads: number; medians: Record<number, number> }): Promise<void> {
    const chosen = this.host.chosen;
    const trials: Partial<Record<BackendName, BackendTrial>> = {};
    const servingMs = reports.find((r) => r.servingMs !== undefined)?.servingMs;
    const first = reports[0]?.serving ?? chosen.name;
    trials[first] = { medianMs: servingMs, maxAbsDiff: 0 };
    for (const r of reports) {
      trials[r.backend] = r.skipped
        ? { rejected: `skipped: ${r.skipped}` }
        : { medianMs: r.medianMs, maxAbsDiff: r.maxAbsDiff, ...(r.rejected ? { rejected: r.rejected } : {}) };
    }
    if (this.host.config.rememberBackend !== false) {
      const key = await backendChoiceKey(this.request, this.host.config);
      await this.host
        .database()
        .then((d) =>
          d.put('backendChoices', {
            key,
            backend: chosen.name,
            trials: threads ? { ...trials, threads: threads.medians } : trials,
            measuredAt: Date.now(),
            ...(threads ? { threads: threads.threads } : {}),
          }),
        )
        .catch(() => undefined); // a forgotten decision only costs a re-measure next time
    }
    // `backend()` says 'measured' once the decision is stored.
    const threadTrials = threads ? Object.fromEntries(Object.entries(threads.medians).map(([n, ms]) => [n, ms])) : undefined;
    this.host.adopt({ ...this.host.chosen, chosenBy: 'measured', trials, ...(threadTrials ? { threadTrials } : {}) }, new Map());
  }
}

function dispose(session: ModelSession): undefined {
  session.dispose();
  return undefined;
}
