/**
 * A child worker of the inference worker's own script, pinned to one backend, where a backend trial
 * runs: the serving worker's thread never runs a trial step (a trial of cpu on an image model blocks its
 * thread for seconds). A child that dies or hangs fails the step instead of holding the trials forever.
 */
import { releaseProxy, type Remote, wrap } from 'comlink';
import { EdgewatchError, ErrorCode } from '../src/errors.ts';
import type { BackendName, WorkerApi, WorkerConfig } from './protocol.ts';

/** A step of a child (start, model load, one timed run) that takes longer than this fails. */
const STEP_TIMEOUT_MS = 60_000;

/** Whether trial workers can start here: inside a worker that may start workers (not `worker: false`). */
export function trialWorkersPossible(): boolean {
  const inWorker = typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope === 'function';
  return inWorker && typeof Worker === 'function';
}

/** One child worker (see the file comment). */
export class TrialWorker {
  private readonly worker: Worker;
  private readonly api: Remote<WorkerApi>;
  private readonly death: Promise<never>;
  private readonly configured: Promise<void>;
  private closed = false;

  /** Starts a child on `backend` (wasm: with `threads`), with the parent's settings otherwise; nothing remembered or monitored. */
  constructor(config: WorkerConfig, backend: BackendName, threads?: number) {
    this.worker = new Worker((globalThis as unknown as { location: Location }).location.href, { type: 'module', name: `edgewatch-trial-${backend}` });
    this.api = wrap<WorkerApi>(this.worker);
    this.death = new Promise<never>((_, reject) => {
      this.worker.addEventListener(
        'error',
        (event) => reject(new EdgewatchError(ErrorCode.WORKER_CRASHED, `The ${backend} trial worker failed: ${event.message}`)),
        {
          once: true,
        },
      );
    });
    this.death.catch(() => undefined);
    const { lifeLock: _parents, measured: _handoff, ...rest } = config;
    this.configured = this.step(() =>
      this.api.configure({ ...rest, backends: [backend], ...(threads ? { wasmThreads: threads } : {}), rememberBackend: false, monitoring: false }),
    );
  }

  /** Runs `fn` on the child once it is configured; fails when the child dies or the step exceeds its time limit. */
  async call<T>(fn: (api: Remote<WorkerApi>) => Promise<T>): Promise<T> {
    await this.configured;
    return this.step(() => fn(this.api));
  }

  private step<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the trial worker was closed'));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const limit = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`a trial step took over ${STEP_TIMEOUT_MS} ms`)), STEP_TIMEOUT_MS);
    });
    return Promise.race([fn(), this.death, limit]).finally(() => clearTimeout(timer));
  }

  /** Releases comlink's proxy and terminates the child. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.api[releaseProxy]();
    this.worker.terminate();
  }
}
