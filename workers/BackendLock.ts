/**
 * One at a time, in order: what needs the worker's TF.js backend to itself (a model load, a step of a
 * background trial, a backend swap). TF.js has one active backend per thread; two of these interleaved
 * at an `await` would build one model's weights on another's backend.
 */
export class BackendLock {
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `fn` once everything queued before it has settled. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
