/**
 * What in-memory monitors share: a timer that flushes every few seconds, and flushes serialised so two
 * never interleave (a slow IndexedDB commit must not let the next flush read half-written rows).
 */
export abstract class PeriodicFlusher {
  private timer: ReturnType<typeof setInterval> | undefined;
  private flushing: Promise<void> = Promise.resolve();

  /** Writes what is pending; called one at a time. */
  protected abstract flushNow(): Promise<void>;

  /** Flushes every `intervalMs` until {@link PeriodicFlusher.stop}. */
  start(intervalMs: number): void {
    this.stop();
    this.timer = setInterval(() => void this.flush().catch(() => undefined), intervalMs);
  }

  /** Stops the flush timer. */
  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Writes pending data now, after any flush still running. */
  flush(): Promise<void> {
    this.flushing = this.flushing.catch(() => undefined).then(() => this.flushNow());
    return this.flushing;
  }
}
