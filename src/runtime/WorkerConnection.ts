import { proxy, releaseProxy, transfer, wrap, type Remote } from 'comlink';
import { installErrorTransferHandler } from '../errorTransfer.ts';
import { EdgewatchError, ErrorCode, isEdgewatchError } from '../errors.ts';
import {
  type BackendHandoffRequest,
  type BackendInfo,
  type BackendReport,
  handoverBuffers,
  type LoadRequest,
  type SessionInfo,
  type WorkerApi,
  type WorkerConfig,
} from '../../workers/protocol.ts';
import { EdgeErrorEvent } from './events.ts';
import { PredictPortClient } from './PredictPortClient.ts';
import type { ResolvedRuntimeOptions } from './resolveOptions.ts';

/** `WORKER_CRASHED` for a worker that would not start: the URL it was started from and the option to set. */
function workerDidNotStart(url: string | undefined, event: Event, stage: string): EdgewatchError {
  const reason = (event as ErrorEvent).message || 'script error';
  const where = url ? ` from ${url}` : ' (createWorker)';
  const hint = url ? '; if the worker is not served there, set the runtime option workerUrl (or createWorker)' : '';
  return new EdgewatchError(ErrorCode.WORKER_CRASHED, `The inference worker failed to start${where}: ${reason}${hint}`, {
    url,
    option: url ? 'workerUrl' : 'createWorker',
    stage,
  });
}

interface PendingCall {
  readonly fn: (api: WorkerApi) => Promise<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
  /** The worker generation it was last sent to. */
  generation: number;
  /** The caller's promise (a handoff waits for it to settle; no per-call chain made for that). */
  answer?: Promise<unknown>;
}

/** One started worker (or the in-thread API) and what must be let go of when it is replaced. */
interface Link {
  readonly api: WorkerApi;
  /** Closes the predict port, releases comlink's proxy and terminates the worker. Idempotent. */
  release(): void;
  /** The request each model's serving version was loaded from in this worker. */
  readonly loaded: Map<string, LoadRequest>;
  /** Each model's shadow in this worker: the request and its load (see {@link routed}). */
  readonly shadows: Map<string, { request: LoadRequest; loading: Promise<SessionInfo> }>;
}

const noop = (): undefined => undefined;

/** How long a worker handed over from waits for its calls in flight and its monitoring flush before it is terminated. */
const RETIRE_TIMEOUT_MS = 30_000;
/**
 * A handoff's heavy steps (the new worker's start, each version's load and warm-up) are each followed by an
 * idle gap as long as the step (at most this): the serving worker keeps a core to itself half the time on a
 * machine with few cores, for a handoff that takes about twice as long.
 */
const HANDOFF_MAX_GAP_MS = 500;
/**
 * Before the switch each serving version runs this many times on the new worker through its whole predict
 * path (`warmPredict`: features, model, monitoring against a scratch monitor; nothing counted), on its
 * goldens in batches of 1 and a few rows: the new worker's code and kernels are otherwise compiled during its
 * first real calls, which ran several times slower (the bench's hot swap: p99 of the first 10 calls after the
 * switch 14–15 ms cold, 3–7 ms warmed). A version without goldens runs its model alone (`timeModel`). At most
 * `HANDOFF_WARM_BUDGET_MS` per version (a slow image model).
 */
const HANDOFF_WARM_ROUNDS = 60;
const HANDOFF_WARM_MODEL_ROUNDS = 10;
const HANDOFF_WARM_ROWS = 8;
const HANDOFF_WARM_BUDGET_MS = 250;

/**
 * Marks a handoff step on the page's performance timeline (`edgewatch:handoff:<step>`), where DevTools and
 * the bench see it; a page without User Timing loses nothing.
 */
function markHandoff(step: 'start' | 'started' | 'loaded' | 'switched' | 'flushed' | 'retired'): void {
  if (typeof performance !== 'undefined' && typeof performance.mark === 'function') performance.mark(`edgewatch:handoff:${step}`);
}

/** Runs version `name` on the new worker a few times before it serves (see {@link HANDOFF_WARM_ROUNDS}). */
async function warmModel(api: WorkerApi, name: string): Promise<void> {
  if ((await api.warmPredict(name, HANDOFF_WARM_ROUNDS, HANDOFF_WARM_ROWS, HANDOFF_WARM_BUDGET_MS)) > 0) return;
  const t0 = performance.now();
  for (let i = 0; i < HANDOFF_WARM_MODEL_ROUNDS && performance.now() - t0 < HANDOFF_WARM_BUDGET_MS; i++) await api.timeModel(name, 1, HANDOFF_WARM_ROWS);
}

/**
 * The worker's API as one object: `predict` goes over the dedicated port, `load`'s progress callback
 * crosses as a comlink proxy, and every other method is comlink's own, so a new `WorkerApi` method
 * needs no change here.
 */
function routed(remote: Remote<WorkerApi>, port: PredictPortClient, loaded: Link['loaded'], shadows: Link['shadows']): WorkerApi {
  const predict: WorkerApi['predict'] = (name, records) => port.predict(name, records);
  const load: WorkerApi['load'] = (request, onProgress) =>
    remote.load(request, onProgress ? proxy(onProgress) : undefined).then((info) => {
      loaded.set(request.name, request);
      return info;
    });
  // The same shadow asked for twice (by a handoff's reload and by the call that registered it) loads once:
  // a second load would start its counts again from zero.
  const loadShadow: WorkerApi['loadShadow'] = (request, share) => {
    const known = shadows.get(request.name);
    if (known?.request === request) return known.loading;
    const loading = remote.loadShadow(request, share);
    shadows.set(request.name, { request, loading });
    loading.catch(() => {
      if (shadows.get(request.name)?.loading === loading) shadows.delete(request.name);
    });
    return loading;
  };
  const unloadShadow: WorkerApi['unloadShadow'] = (name) => {
    shadows.delete(name);
    return remote.unloadShadow(name);
  };
  return new Proxy(remote, {
    get(target, key, receiver) {
      if (key === 'predict') return predict;
      if (key === 'load') return load;
      if (key === 'loadShadow') return loadShadow;
      if (key === 'unloadShadow') return unloadShadow;
      // Comlink answers `then` on its root with a thenable that never settles: this object must not look awaitable.
      if (key === 'then') return undefined;
      return Reflect.get(target, key, receiver);
    },
  }) as unknown as WorkerApi;
}

/**
 * The runtime's line to its inference worker. Starts the worker on the first call (or the same API on
 * this thread with `worker: false`), tracks every call until it is answered, and when the worker dies
 * (crash, `terminate()`, noticed through a Web Lock the worker holds for its life) starts a new one,
 * reloads every serving version and re-sends what was in flight: no request lost, none answered twice.
 * A replaced or disposed worker's port is closed, its comlink proxy released and the worker terminated.
 *
 * A backend handoff (the worker's trials found a faster backend, {@link BackendHandoffRequest}) uses the
 * same machinery without a death: a new worker starts on the measured backend, every serving version is
 * loaded and warmed there, then routing switches in one step; the old worker answers what it has in
 * flight, flushes its monitoring and is terminated. Until the switch, a failure anywhere leaves the old
 * worker serving.
 */
export class WorkerConnection {
  private readonly pending = new Set<PendingCall>();
  /** The request of each serving version, reloaded into a restarted worker. */
  private readonly serving = new Map<string, LoadRequest>();
  /** The shadow version of a model (`loadShadow`), by model name, reloaded after the serving ones. */
  private readonly shadows = new Map<string, LoadRequest>();
  private linkPromise: Promise<Link> | undefined;
  /** The started worker's API, for calls that need not wait a microtask for `linkPromise`. */
  private readyApi: WorkerApi | undefined;
  /** The newest worker, from the moment it is created (so a failed start can be released too). */
  private link: Link | undefined;
  private generation = 0;
  private restarts: number[] = [];
  private disposed = false;
  /** What workers are configured with: after a handoff, with the measured backend (`WorkerConfig.measured`). */
  private config: WorkerConfig;
  /** A handoff under way (one at a time), and its new worker once created. */
  private handingOff = false;
  private handoffLink: Link | undefined;
  /** Workers handed over from, still answering their calls in flight: generation → link. */
  private readonly retiring = new Map<number, Link>();
  /** Per worker retiring: ends its wait at once (it died, or the runtime was disposed) instead of at the timeout. */
  private readonly retireGiveUp = new Map<number, () => void>();
  /** Settles once the last handoff's recent predictions reached the serving worker (see {@link callAfterHandover}). */
  private recentMoved: Promise<void> = Promise.resolve();
  /** Settles once the last handoff's old worker also wrote its windows to storage (see {@link readAfterHandover}). */
  private recentFlushed: Promise<void> = Promise.resolve();

  constructor(
    private readonly options: ResolvedRuntimeOptions,
    /** Where crash reports go (`error` events of the runtime). */
    private readonly dispatch: (event: Event) => void,
    /** Where the worker's background backend trials and changes go. */
    private readonly onBackendReport: (report: BackendReport) => void = () => undefined,
  ) {
    this.config = options.workerConfig;
  }

  /** True once a worker was asked for (and until dispose): there may be counts in it to flush. */
  get started(): boolean {
    return this.linkPromise !== undefined;
  }

  /** A version is serving: a restarted worker gets it back before any call goes through. */
  serve(request: LoadRequest): void {
    this.serving.set(request.name, request);
    // Loaded on a worker handed over from after the switch: the serving worker gets it too.
    const link = this.readyApi ? this.link : undefined;
    if (link && this.retiring.size > 0 && link.loaded.get(request.name) !== request)
      void this.call((api) => (this.link === link ? api.load(request).then(() => undefined) : Promise.resolve())).catch(() => undefined);
  }

  /** Model `name` was unloaded: a restarted worker need not load it. */
  forget(name: string): void {
    this.serving.delete(name);
    this.shadows.delete(name);
  }

  /**
   * Runs `request` as the shadow of its model's serving version. Registered before the call goes out, so a
   * worker started meanwhile (a restart, a handoff) loads it too; a load that fails unregisters it.
   */
  async loadShadow(request: LoadRequest): Promise<void> {
    this.shadows.set(request.name, request);
    try {
      await this.call((api) => api.loadShadow(request));
    } catch (error) {
      if (this.shadows.get(request.name) === request) this.shadows.delete(request.name);
      throw error;
    }
  }

  /** Model `name` has no shadow any more: unloaded from the serving worker, and not loaded into a new one. */
  async unloadShadow(name: string): Promise<void> {
    this.shadows.delete(name);
    await this.call((api) => api.unloadShadow(name));
  }

  /** How many shadows `link` does not run as registered (one tried there and failed, in `tried`, is left out). */
  private shadowsToSync(link: Link, tried: ReadonlySet<LoadRequest>): number {
    let differ = 0;
    for (const [name, request] of this.shadows) if (link.shadows.get(name)?.request !== request && !tried.has(request)) differ++;
    for (const name of link.shadows.keys()) if (!this.shadows.has(name)) differ++;
    return differ;
  }

  /** Brings a new worker's shadows in line with the registered ones; a shadow that fails to load there is left out, as on its first load. */
  private async reloadShadows(link: Link, stage: <T>(name: string, step: Promise<T>) => Promise<T>, tried: Set<LoadRequest> = new Set()): Promise<void> {
    for (const name of [...link.shadows.keys()]) if (!this.shadows.has(name)) await stage('shadow', link.api.unloadShadow(name));
    for (const request of [...this.shadows.values()]) {
      if (link.shadows.get(request.name)?.request === request || tried.has(request)) continue;
      tried.add(request);
      try {
        await stage('shadow', link.api.loadShadow(request));
      } catch (error) {
        if (isEdgewatchError(error, ErrorCode.WORKER_CRASHED)) throw error;
      }
    }
  }

  /** Runs `fn` against the worker, tracked so a worker death re-runs it on the next worker. */
  call<T>(fn: (api: WorkerApi) => Promise<T>): Promise<T> {
    if (this.disposed) return Promise.reject(new EdgewatchError(ErrorCode.DISPOSED, 'The runtime was disposed'));
    let call: PendingCall | undefined;
    const answer = new Promise<T>((resolve, reject) => {
      call = { fn, resolve: resolve as (value: unknown) => void, reject, generation: this.generation };
    });
    const pending = call as PendingCall;
    pending.answer = answer;
    this.pending.add(pending);
    this.attempt(pending);
    return answer;
  }

  /**
   * {@link call}, once the predictions a worker handed over from keeps for late labels are in the serving
   * worker (or that move failed or timed out): `feedback` goes this way, so a label for a prediction the old
   * worker made joins it instead of being counted unmatched by the new one. The call is made in the same
   * step as the last check, so no handoff can start between them.
   */
  callAfterHandover<T>(fn: (api: WorkerApi) => Promise<T>): Promise<T> {
    return this.afterHandoff(() => this.recentMoved, fn);
  }

  /**
   * {@link call}, once the worker handed over from has also written its monitoring windows to storage (or
   * that failed or timed out): summaries and `flush()` go this way, so a read just after a handoff sees the
   * old worker's counts, not only those of a new worker that has observed nothing yet.
   */
  readAfterHandover<T>(fn: (api: WorkerApi) => Promise<T>): Promise<T> {
    return this.afterHandoff(() => this.recentFlushed, fn);
  }

  private async afterHandoff<T>(settled: () => Promise<void>, fn: (api: WorkerApi) => Promise<T>): Promise<T> {
    for (let done = settled(); ; done = settled()) {
      await done;
      if (done === settled()) return this.call(fn);
    }
  }

  /** Stops the worker and fails what is still waiting with `DISPOSED`. Further calls fail the same way. */
  dispose(): void {
    this.disposed = true;
    for (const old of this.retiring.values()) old.release();
    this.retiring.clear();
    for (const giveUp of this.retireGiveUp.values()) giveUp();
    this.handoffLink?.release();
    this.link?.release();
    this.link = undefined;
    this.linkPromise = undefined;
    this.readyApi = undefined;
    const error = new EdgewatchError(ErrorCode.DISPOSED, 'The runtime was disposed');
    for (const call of this.pending) call.reject(error);
    this.pending.clear();
  }

  private attempt(call: PendingCall): void {
    const generation = this.generation;
    call.generation = generation;
    let answer: Promise<unknown>;
    try {
      // With the worker up, `fn` runs now, in this task: a batch that fills while the app is still making
      // calls is posted at once, so the worker starts on it while the main thread queues the rest.
      answer = this.readyApi ? call.fn(this.readyApi) : this.api().then((api) => call.fn(api));
    } catch (error) {
      answer = Promise.reject(error);
    }
    answer.then(
      (value) => {
        // A promise settles once: if a re-sent copy already answered, this is a no-op.
        this.pending.delete(call);
        call.resolve(value);
      },
      (error) => {
        // A failure of a worker that has since died is not the caller's answer: the re-sent copy will be.
        // (A worker handed over from answers its own calls, failures included.)
        if (call.generation !== generation && this.pending.has(call)) return;
        this.pending.delete(call);
        call.reject(error);
      },
    );
  }

  private api(): Promise<WorkerApi> {
    const generation = this.generation;
    this.linkPromise ??= this.start(generation).then(
      (link) => {
        if (generation === this.generation && !this.disposed) this.readyApi = link.api;
        return link;
      },
      (error) => {
        // A start overtaken by a restart (the worker's death was noticed already) leaves the new one be.
        if (generation === this.generation && !this.disposed) {
          if (isEdgewatchError(error, ErrorCode.WORKER_CRASHED) && this.options.worker) {
            // Died while starting: a restart like any other, counted against the policy.
            this.onWorkerDied(generation, error);
          } else {
            this.linkPromise = undefined;
            this.link?.release();
            this.link = undefined;
          }
        }
        throw error;
      },
    );
    return this.linkPromise.then((link) => link.api);
  }

  private async start(generation: number): Promise<Link> {
    const config = this.config;
    let link: Link;
    if (!this.options.worker) {
      // Same API object, in this thread: loaded only when needed so pages with workers never pay for it.
      const { createWorkerApi } = await import('../../workers/workerApi.ts');
      const api = createWorkerApi();
      link = this.link = { api, release: () => undefined, loaded: new Map(), shadows: new Map() };
      await api.configure(config);
      await api.watchBackend((report) => this.report(link, report));
      // A restarted worker gets back every version that was serving before the first call goes through.
      for (const request of this.serving.values()) await link.api.load(request);
      return link;
    }
    const opened = this.open(
      config,
      () => generation === this.generation && !this.disposed,
      (error) => this.onWorkerDied(generation, error),
      (started) => (this.link = started),
    );
    link = await opened.link;
    // A restarted worker gets back every version that was serving before the first call goes through;
    // a death meanwhile is noticed through the lock (or the script's error event).
    for (const request of this.serving.values()) await opened.stage('reload', link.api.load(request));
    await this.reloadShadows(link, opened.stage);
    return link;
  }

  /**
   * Starts a worker: configure (with a life lock), the predict port, the backend reports. Every stage races
   * the worker's death: a script error, the life lock granted (the worker is gone), or — before configure()
   * answers, when no lock is held yet and a worker that closed itself says nothing — the start time limit.
   * Nothing waits on a dead worker forever. `wanted` false after a stage (replaced, disposed) fails it.
   */
  private open(
    config: WorkerConfig,
    wanted: () => boolean,
    onDeath: (cause?: EdgewatchError) => void,
    created: (link: Link) => void,
  ): { link: Promise<Link>; stage: <T>(name: string, step: Promise<T>) => Promise<T> } {
    installErrorTransferHandler();
    const worker = this.options.createWorker();
    // Before comlink's listener: listeners run in the order added, so a predict answer stops at this client.
    const port = new PredictPortClient(worker);
    const remote = wrap<WorkerApi>(worker);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      port.close();
      remote[releaseProxy]();
      worker.terminate();
    };
    const loaded: Link['loaded'] = new Map();
    const shadows: Link['shadows'] = new Map();
    // Until the port is open, `api` is not used: only `release` matters for a start that fails.
    created({ api: remote as unknown as WorkerApi, release, loaded, shadows });
    const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
    const lifeLock = locks ? `edgewatch-worker-${crypto.randomUUID()}` : undefined;
    let died: (error: EdgewatchError) => void = () => undefined;
    const death = new Promise<never>((_, reject) => {
      died = reject;
    });
    death.catch(() => undefined);
    worker.addEventListener('error', (event) => died(workerDidNotStart(this.options.workerUrl(), event, 'script')), { once: true });
    const stage = async <T>(name: string, step: Promise<T>): Promise<T> => {
      const value = await Promise.race([step, death]);
      if (!wanted()) throw new EdgewatchError(ErrorCode.WORKER_CRASHED, `The inference worker was replaced during its start (${name})`, { stage: name });
      return value;
    };
    const link = (async () => {
      const limit = this.options.workerStartTimeoutMs;
      const timer = setTimeout(
        () => died(new EdgewatchError(ErrorCode.WORKER_CRASHED, `The inference worker did not start within ${limit} ms`, { stage: 'start', timeoutMs: limit })),
        limit,
      );
      let started: Link | undefined;
      try {
        await stage('configure', remote.configure({ ...config, lifeLock }));
        if (locks && lifeLock) {
          // Granted only when the worker is gone: that is our crash signal, from here on for its whole life.
          void locks.request(lifeLock, () => {
            died(new EdgewatchError(ErrorCode.WORKER_CRASHED, 'The inference worker died while starting', { stage: 'started' }));
            onDeath();
          });
        }
        // Predict travels on the worker's own channel, beside comlink: no MessagePort hop (see openPredictPort).
        await stage('port', remote.openPredictPort());
        await stage('watch', remote.watchBackend(proxy((report: BackendReport) => this.report(started as Link, report))));
      } finally {
        clearTimeout(timer);
      }
      started = { api: routed(remote, port, loaded, shadows), release, loaded, shadows };
      created(started);
      return started;
    })();
    return { link, stage };
  }

  /** A backend report of the worker behind `from`: a handoff request is served here, the rest go to the runtime while `from` serves. */
  private report(from: Link, report: BackendReport): Promise<string | undefined> | undefined {
    if (report.type === 'handoff') return this.handoff(report, from);
    if (from === this.link) this.onBackendReport(report);
    return undefined;
  }

  /**
   * Hands the serving versions over to a new worker on the measured backend (see the class comment).
   * Resolves undefined once the new worker serves, else with why not (the old worker keeps serving).
   */
  private async handoff(request: BackendHandoffRequest, from: Link): Promise<string | undefined> {
    if (!this.options.worker) return 'a hot swap needs a worker (worker: false)';
    if (this.disposed) return 'the runtime was disposed';
    if (from !== this.link || !this.readyApi) return 'the worker asking is no longer the serving one';
    if (this.handingOff) return 'another handoff is under way';
    this.handingOff = true;
    const generation = this.generation;
    const config: WorkerConfig = { ...this.config, measured: request.measured };
    let next: Link | undefined;
    let switched = false;
    markHandoff('start');
    try {
      const opened = this.open(
        config,
        () => generation === this.generation && !this.disposed,
        (cause) => {
          // Dead before the switch: the stage waiting on it fails, the old worker serves on.
          if (switched) this.onWorkerDied(generation + 1, cause);
        },
        (link) => {
          next = this.handoffLink = link;
        },
      );
      // Each heavy step, then an idle gap as long as it (see HANDOFF_MAX_GAP_MS); a gap fails the stage when the handoff is dropped meanwhile.
      const paced = async <T>(name: string, step: () => Promise<T>): Promise<T> => {
        const t0 = performance.now();
        const value = await step();
        const ms = Math.min(HANDOFF_MAX_GAP_MS, performance.now() - t0);
        await opened.stage(name, new Promise((resolve) => setTimeout(resolve, ms)));
        return value;
      };
      const link = await paced('start', () => opened.link);
      markHandoff('started');
      // Every serving version, loaded and warmed up from the verified cache, then the shadows; again for
      // what changed meanwhile (a shadow registered while this ran, say), until the last await found nothing new.
      const tried = new Set<LoadRequest>();
      let info: BackendInfo | undefined;
      for (let pass = 0; ; pass++) {
        const todo = [...this.serving.values()].filter((r) => link.loaded.get(r.name) !== r);
        if (pass > 0 && todo.length === 0 && this.shadowsToSync(link, tried) === 0) break;
        if (pass > 8) throw new Error('the serving versions kept changing');
        for (const r of todo) await paced('reload', () => opened.stage('reload', link.api.load(r)));
        for (const r of todo) await paced('warm', () => opened.stage('warm', warmModel(link.api, r.name)));
        await this.reloadShadows(link, opened.stage, tried);
        info = await opened.stage('backend', link.api.backend());
      }
      markHandoff('loaded');
      // The switch: one synchronous step, nothing awaited between the last check and it.
      switched = true;
      const old = from;
      this.retiring.set(generation, old);
      this.generation = generation + 1;
      this.link = link;
      this.linkPromise = Promise.resolve(link);
      this.readyApi = link.api;
      this.config = config;
      markHandoff('switched');
      // Retiring first: a summary or label asked for by a `backend-changed` listener already waits for the move.
      void this.retire(generation, old, link);
      if (info) this.onBackendReport({ type: 'changed', from: request.from, to: info.name, speedup: request.speedup, info });
      return undefined;
    } catch (error) {
      if (!switched) next?.release();
      return error instanceof Error ? error.message : String(error);
    } finally {
      this.handingOff = false;
      this.handoffLink = undefined;
    }
  }

  /**
   * A worker handed over from: its calls in flight answered there, the predictions it keeps for late labels
   * and its shadows' counts adopted by the serving worker `next` (`handOver` / `takeOver`), its monitoring
   * flushed, then terminated.
   */
  private async retire(generation: number, old: Link, next: Link): Promise<void> {
    const inFlight = [...this.pending].filter((c) => c.generation === generation).map((c) => c.answer?.then(noop, noop));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const limit = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, RETIRE_TIMEOUT_MS);
      this.retireGiveUp.set(generation, resolve);
    });
    // Set before the first await: a label sent right after the switch waits for this move.
    const moved = Promise.all(inFlight)
      .then(() => old.api.handOver())
      .then((handover) => (this.link === next ? next.api.takeOver(transfer(handover, handoverBuffers(handover))) : undefined))
      .then(noop, noop);
    this.recentMoved = Promise.race([moved, limit]);
    const flushed = moved.then(() => old.api.flush()).then(() => markHandoff('flushed'));
    this.recentFlushed = Promise.race([flushed.then(noop, noop), limit]);
    try {
      await Promise.race([flushed, limit]);
    } catch {
      // A flush that failed: its windows stay in that worker (storage refused them anyway).
    } finally {
      clearTimeout(timer);
      // Out of `retiring` before it is terminated: its death (the lock granted) is then no crash to act on.
      if (this.retiring.get(generation) === old) this.retiring.delete(generation);
      this.retireGiveUp.delete(generation);
      old.release();
      markHandoff('retired');
    }
  }

  private onWorkerDied(generation: number, cause?: EdgewatchError): void {
    if (this.disposed) return;
    if (this.retiring.has(generation)) {
      // A worker handed over from died with calls in flight: they go to the serving one.
      this.retiring.delete(generation);
      // What it kept is gone with it: nothing more to wait for.
      this.retireGiveUp.get(generation)?.();
      for (const call of [...this.pending]) if (call.generation === generation) this.attempt(call);
      return;
    }
    if (generation !== this.generation) return;
    this.generation++;
    this.link?.release();
    this.link = undefined;
    this.linkPromise = undefined;
    this.readyApi = undefined;
    const now = Date.now();
    this.restarts = [...this.restarts.filter((t) => now - t < 60_000), now];
    // What the death said (stage; for a start failure the URL tried and the option to set) travels on.
    const crashed = new EdgewatchError(ErrorCode.WORKER_CRASHED, `The inference worker stopped; restarting it${cause ? ` (${cause.message})` : ''}`, {
      ...cause?.details,
      restarts: this.restarts.length,
    });
    this.dispatch(new EdgeErrorEvent({ error: crashed }));
    if (this.restarts.length > this.options.maxRestartsPerMinute) {
      const error = new EdgewatchError(
        ErrorCode.WORKER_CRASHED,
        `The inference worker died ${this.restarts.length} times within a minute${cause ? `; last: ${cause.message}` : ''}`,
        { ...cause?.details, restarts: this.restarts.length },
      );
      for (const call of this.pending) call.reject(error);
      this.pending.clear();
      return;
    }
    for (const call of [...this.pending]) this.attempt(call);
  }
}
