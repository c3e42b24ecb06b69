import { proxy, releaseProxy, wrap, type Remote } from 'comlink';
import { installErrorTransferHandler } from '../errorTransfer.ts';
import { EdgewatchError, ErrorCode, isEdgewatchError } from '../errors.ts';
import type { BackendReport, LoadRequest, WorkerApi } from '../../workers/protocol.ts';
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
}

/** One started worker (or the in-thread API) and what must be let go of when it is replaced. */
interface Link {
  readonly api: WorkerApi;
  /** Closes the predict port, releases comlink's proxy and terminates the worker. Idempotent. */
  release(): void;
}

/**
 * The worker's API as one object: `predict` goes over the dedicated port, `load`'s progress callback
 * crosses as a comlink proxy, and every other method is comlink's own, so a new `WorkerApi` method
 * needs no change here.
 */
function routed(remote: Remote<WorkerApi>, port: PredictPortClient): WorkerApi {
  const predict: WorkerApi['predict'] = (name, records) => port.predict(name, records);
  const load: WorkerApi['load'] = (request, onProgress) => remote.load(request, onProgress ? proxy(onProgress) : undefined);
  return new Proxy(remote, {
    get(target, key, receiver) {
      if (key === 'predict') return predict;
      if (key === 'load') return load;
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
 */
export class WorkerConnection {
  private readonly pending = new Set<PendingCall>();
  /** The request of each serving version, reloaded into a restarted worker. */
  private readonly serving = new Map<string, LoadRequest>();
  private linkPromise: Promise<Link> | undefined;
  /** The started worker's API, for calls that need not wait a microtask for `linkPromise`. */
  private readyApi: WorkerApi | undefined;
  /** The newest worker, from the moment it is created (so a failed start can be released too). */
  private link: Link | undefined;
  private generation = 0;
  private restarts: number[] = [];
  private disposed = false;

  constructor(
    private readonly options: ResolvedRuntimeOptions,
    /** Where crash reports go (`error` events of the runtime). */
    private readonly dispatch: (event: Event) => void,
    /** Where the worker's background backend trials and changes go. */
    private readonly onBackendReport: (report: BackendReport) => void = () => undefined,
  ) {}

  /** True once a worker was asked for (and until dispose): there may be counts in it to flush. */
  get started(): boolean {
    return this.linkPromise !== undefined;
  }

  /** A version is serving: a restarted worker gets it back before any call goes through. */
  serve(request: LoadRequest): void {
    this.serving.set(request.name, request);
  }

  /** Model `name` was unloaded: a restarted worker need not load it. */
  forget(name: string): void {
    this.serving.delete(name);
  }

  /** Runs `fn` against the worker, tracked so a worker death re-runs it on the next worker. */
  call<T>(fn: (api: WorkerApi) => Promise<T>): Promise<T> {
    if (this.disposed) return Promise.reject(new EdgewatchError(ErrorCode.DISPOSED, 'The runtime was disposed'));
    return new Promise<T>((resolve, reject) => {
      const call: PendingCall = { fn, resolve: resolve as (value: unknown) => void, reject };
      this.pending.add(call);
      this.attempt(call);
    });
  }

  /** Stops the worker and fails what is still waiting with `DISPOSED`. Further calls fail the same way. */
  dispose(): void {
    this.disposed = true;
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
        if (generation !== this.generation && this.pending.has(call)) return;
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
    const config = this.options.workerConfig;
    let link: Link;
    if (!this.options.worker) {
      // Same API object, in this thread: loaded only when needed so pages with workers never pay for it.
      const { createWorkerApi } = await import('../../workers/workerApi.ts');
      const api = createWorkerApi();
      link = this.link = { api, release: () => undefined };
      await api.configure(config);
      await api.watchBackend(this.onBackendReport);
    } else {
      installErrorTransferHandler();
      const worker = this.options.createWorker();
      const remote = wrap<WorkerApi>(worker);
      let port: PredictPortClient | undefined;
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        port?.close();
        remote[releaseProxy]();
        worker.terminate();
      };
      // Until the port is open, `api` is not used: only `release` matters for a start that fails.
      this.link = { api: remote as unknown as WorkerApi, release };
      const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
      const lifeLock = locks ? `edgewatch-worker-${crypto.randomUUID()}` : undefined;
      // Every stage of the start races the worker's death: a script error, the life lock granted (the
      // worker is gone), or — before configure() answers, when no lock is held yet and a worker that
      // closed itself says nothing — the start time limit. Nothing waits on a dead worker forever.
      let died: (error: EdgewatchError) => void = () => undefined;
      const death = new Promise<never>((_, reject) => {
        died = reject;
      });
      death.catch(() => undefined);
      worker.addEventListener('error', (event) => died(workerDidNotStart(this.options.workerUrl(), event, 'script')), { once: true });
      const limit = this.options.workerStartTimeoutMs;
      const timer = setTimeout(
        () => died(new EdgewatchError(ErrorCode.WORKER_CRASHED, `The inference worker did not start within ${limit} ms`, { stage: 'start', timeoutMs: limit })),
        limit,
      );
      const stage = async <T>(name: string, step: Promise<T>): Promise<T> => {
        const value = await Promise.race([step, death]);
        if (generation !== this.generation || this.disposed)
          throw new EdgewatchError(ErrorCode.WORKER_CRASHED, `The inference worker was replaced during its start (${name})`, { stage: name });
        return value;
      };
      try {
        await stage('configure', remote.configure({ ...config, lifeLock }));
        if (locks && lifeLock) {
          // Granted only when the worker is gone: that is our crash signal, from here on for its whole life.
          void locks.request(lifeLock, () => {
            died(new EdgewatchError(ErrorCode.WORKER_CRASHED, 'The inference worker died while starting', { stage: 'started' }));
            this.onWorkerDied(generation);
          });
        }
        // Predict travels on the worker's own channel, beside comlink: no MessagePort hop (see openPredictPort).
        await stage('port', remote.openPredictPort());
        port = new PredictPortClient(worker);
        await stage('watch', remote.watchBackend(proxy(this.onBackendReport)));
      } finally {
        clearTimeout(timer);
      }
      link = this.link = { api: routed(remote, port), release };
      // A restarted worker gets back every version that was serving before the first call goes through;
      // a death meanwhile is noticed through the lock (or the script's error event).
      for (const request of this.serving.values()) await stage('reload', link.api.load(request));
      return link;
    }
    // A restarted worker gets back every version that was serving before the first call goes through.
    for (const request of this.serving.values()) await link.api.load(request);
    return link;
  }

  private onWorkerDied(generation: number, cause?: EdgewatchError): void {
    if (this.disposed || generation !== this.generation) return;
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
