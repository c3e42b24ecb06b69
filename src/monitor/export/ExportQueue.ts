/** One request waiting to be sent. */
export interface QueuedExport {
  readonly id?: number;
  readonly endpoint: string;
  readonly contentType: string;
  readonly body: string;
  readonly queuedAt: number;
  readonly attempts: number;
}

/** Where exports wait while the device is offline or the collector is down. */
export interface ExportQueue {
  push(item: QueuedExport): Promise<void>;
  /** Oldest first, at most `limit`. */
  peek(limit: number): Promise<QueuedExport[]>;
  remove(id: number): Promise<void>;
  size(): Promise<number>;
}

/**
 * An in-memory queue, bounded (oldest dropped first): for Node and for pages that accept losing queued
 * exports on reload. Browsers should prefer `IndexedDBExportQueue`.
 */
export class MemoryExportQueue implements ExportQueue {
  private items: QueuedExport[] = [];
  private nextId = 1;

  constructor(private readonly capacity = 100) {}

  async push(item: QueuedExport): Promise<void> {
    this.items.push({ ...item, id: this.nextId++ });
    if (this.items.length > this.capacity) this.items.shift();
  }

  async peek(limit: number): Promise<QueuedExport[]> {
    return this.items.slice(0, limit);
  }

  async remove(id: number): Promise<void> {
    this.items = this.items.filter((i) => i.id !== id);
  }

  async size(): Promise<number> {
    return this.items.length;
  }
}
