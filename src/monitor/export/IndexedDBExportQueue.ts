import type { IDBPDatabase } from 'idb';
import type { EdgewatchDB } from '../../storage/db.ts';
import type { ExportQueue, QueuedExport } from './ExportQueue.ts';

/**
 * The offline export queue in IndexedDB, so exports made before a reload or a browser restart still go
 * out. Bounded: past `capacity` rows the oldest are dropped (an aggregate from weeks ago is worth less
 * than the room it takes).
 */
export class IndexedDBExportQueue implements ExportQueue {
  constructor(
    private readonly db: () => Promise<IDBPDatabase<EdgewatchDB>>,
    private readonly capacity = 500,
  ) {}

  async push(item: QueuedExport): Promise<void> {
    const db = await this.db();
    const tx = db.transaction('exportQueue', 'readwrite');
    const { id: _id, ...row } = item;
    await tx.store.add(row);
    let excess = (await tx.store.count()) - this.capacity;
    let cursor = excess > 0 ? await tx.store.openCursor() : null;
    while (cursor && excess-- > 0) {
      await cursor.delete();
      cursor = await cursor.continue();
    }
    await tx.done;
  }

  async peek(limit: number): Promise<QueuedExport[]> {
    return (await this.db()).getAll('exportQueue', undefined, limit);
  }

  async remove(id: number): Promise<void> {
    await (await this.db()).delete('exportQueue', id);
  }

  async size(): Promise<number> {
    return (await this.db()).count('exportQueue');
  }
}
