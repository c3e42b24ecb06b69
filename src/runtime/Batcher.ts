/** Micro-batching knobs. */
export interface BatchOptions {
  /** Most items (records) in one batch. Default 64. */
  readonly maxSize: number;
  /** Longest an item waits for company before its batch leaves (ms). 0 = end of the current task. Default 2. */
  readonly maxWaitMs: number;
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
 * Collects concurrent requests for a short window and runs them as one batch: many small `predict()`
 * calls become one message and one `model.predict` on a stacked tensor. Order within a batch is the
 * order of `add` calls, and batches run one after another, so each caller's answers keep its order.
 */
export class Batcher<T, R> {
  private queue: Waiting<T, R>[] = [];
  private queuedSize = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly run: (items: readonly T[]) => Promise<readonly Settled<R>[]>,
    private readonly options: BatchOptions,
    private readonly sizeOf: (item: T) => number = () => 1,
  ) {}

  /** Queues one request; resolves with its own result. */
  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const size = this.sizeOf(item);
      this.queue.push({ item, size, resolve, reject });
      this.queuedSize += size;
      if (this.queuedSize >= this.options.maxSize) this.dispatch();
      else this.timer ??= setTimeout(() => this.dispatch(), this.options.maxWaitMs);
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
      void this.runBatch(batch);
      if (this.queuedSize < this.options.maxSize) break;
    }
    if (this.queue.length > 0) this.timer = setTimeout(() => this.dispatch(), this.options.maxWaitMs);
  }

  private async runBatch(batch: readonly Waiting<T, R>[]): Promise<void> {
    try {
      const results = await this.run(batch.map((w) => w.item));
      batch.forEach((waiting, i) => {
        const result = results[i];
        if (result?.ok) waiting.resolve(result.value);
        else waiting.reject(result ? result.error : new Error('batch returned too few results'));
      });
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
    }
  }
}
