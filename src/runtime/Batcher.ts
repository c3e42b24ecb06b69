import { EdgewatchError, ErrorCode } from '../errors.ts';

/** Micro-batching knobs. */
export interface BatchOptions {
  /** Most items (records) in one batch. Default 64. */
  readonly maxSize: number;
  /**
   * Longest a request waits for company while earlier batches are still running (ms). A request that
   * finds the pipeline idle leaves at the end of the current task, so one-at-a-time callers pay no delay.
   * Default 2.
   */
  readonly maxWaitMs: number;
  /** Batches allowed in flight at once: 2 keeps the worker fed while the previous answer travels back. Default 2. */
  readonly maxInFlight: number;
  /**
   * Most items (records) taken but not yet answered (waiting for a batch or in one). A request that would
   * take more is refused at once with `QUEUE_FULL` (back-pressure) instead of growing memory without bound;
   * one that finds nothing outstanding is always taken, whatever its size. Default 100,000 in the runtime;
   * unbounded when omitted here.
   */
  readonly maxQueued?: number;
}

/** What a batch run reports per request: a value or an error, so one bad request fails alone. */
export type Settled<R> = { readonly ok: true; readonly value: R } | { readonly ok: false; readonly error: unknown };

interface Waiting<T, R> {
  readonly item: T;
  readonly size: number;
  resolve(value: R): void;
  reject(error: unknown): void;
}

/**
 * Collects concurrent requests and runs them as one batch: many small `predict()` calls become one
 * message and one `model.predict` on a stacked tensor. Batching is natural rather than timed: requests
 * made in the same task, or while the pipeline is busy, travel together; a lone request goes at once.
 * Order within a batch is the order of `add` calls and batches start in order, so each caller's answers
 * keep its order.
 */
export class Batcher<T, R> {
  private queue: Waiting<T, R>[] = [];
  private queuedSize = 0;
  private inFlight = 0;
  /** Items in the batches in flight. */
  private inFlightSize = 0;
  private scheduled = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly maxInFlight: number;

  constructor(
    private readonly run: (items: readonly T[]) => Promise<readonly Settled<R>[]>,
    private readonly options: BatchOptions,
    private readonly sizeOf: (item: T) => number = () => 1,
  ) {
    this.maxInFlight = Math.max(1, options.maxInFlight);
  }

  /** Queues one request; resolves with its own result. */
  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const size = this.sizeOf(item);
      const limit = this.options.maxQueued ?? Number.POSITIVE_INFINITY;
      const outstanding = this.queuedSize + this.inFlightSize;
      if (outstanding > 0 && outstanding + size > limit) {
        reject(
          new EdgewatchError(
            ErrorCode.QUEUE_FULL,
            `${outstanding} records are waiting for answers already (maxQueued ${limit}); try again when calls have been answered`,
            {
              queued: outstanding,
              size,
              maxQueued: limit,
            },
          ),
        );
        return;
      }
      this.queue.push({ item, size, resolve, reject });
      this.queuedSize += size;
      if (this.queuedSize >= this.options.maxSize) {
        this.dispatch();
      } else if (this.inFlight < this.maxInFlight) {
        // Idle pipeline: leave once the current task has queued whatever else it is going to.
        if (!this.scheduled) {
          this.scheduled = true;
          queueMicrotask(() => {
            this.scheduled = false;
            if (this.inFlight < this.maxInFlight) this.dispatch();
          });
        }
      } else {
        // Busy: wait for a batch to come back (see runBatch) or for maxWaitMs, whichever is first.
        this.timer ??= setTimeout(() => {
          this.timer = undefined;
          this.dispatch();
        }, this.options.maxWaitMs);
      }
    });
  }

  private dispatch(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.queue.length > 0) {
      // Take whole requests up to maxSize records (a single oversized request goes alone).
      const batch: Waiting<T, R>[] = [];
      let size = 0;
      while (this.queue.length > 0 && (batch.length === 0 || size + this.queue[0].size <= this.options.maxSize)) {
        const next = this.queue.shift() as Waiting<T, R>;
        size += next.size;
        batch.push(next);
      }
      this.queuedSize -= size;
      this.runBatch(batch);
      if (this.queuedSize < this.options.maxSize) break;
    }
    if (this.queue.length > 0) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.dispatch();
      }, this.options.maxWaitMs);
    }
  }

  /**
   * Not async, and no per-batch closures beyond the two handlers: a lone request's answer reaches its
   * caller one microtask after the run settles.
   */
  private runBatch(batch: readonly Waiting<T, R>[]): void {
    this.inFlight++;
    let size = 0;
    for (const waiting of batch) size += waiting.size;
    this.inFlightSize += size;
    let items: T[];
    if (batch.length === 1) items = [batch[0].item];
    else {
      items = new Array<T>(batch.length);
      for (let i = 0; i < batch.length; i++) items[i] = batch[i].item;
    }
    let running: Promise<readonly Settled<R>[]>;
    try {
      running = this.run(items);
    } catch (error) {
      running = Promise.reject(error);
    }
    running.then(
      (results) => {
        try {
          for (let i = 0; i < batch.length; i++) {
            const result = results[i];
            if (result?.ok) batch[i].resolve(result.value);
            else batch[i].reject(result ? result.error : new Error('batch returned too few results'));
          }
        } catch (error) {
          // not an array: whoever is still waiting fails (a settled promise ignores the second call)
          for (const waiting of batch) waiting.reject(error);
        }
        this.settled(size);
      },
      (error) => {
        for (const waiting of batch) waiting.reject(error);
        this.settled(size);
      },
    );
  }

  private settled(size: number): void {
    this.inFlight--;
    this.inFlightSize -= size;
    // What piled up while we were busy goes now, as one batch.
    if (this.queue.length > 0 && this.inFlight < this.maxInFlight) this.dispatch();
  }
}
