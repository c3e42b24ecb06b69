/**
 * Test helper: a separate JavaScript realm (like another tab, or the page before a reload) that writes
 * aggregate events into IndexedDB and reports back; the test then terminates it.
 */
import { OnlineStore, type AggregateEvent } from '../../src/features/OnlineStore.ts';
import type { AggregateDef } from '../../src/features/AggregateDef.ts';

self.onmessage = async (message: MessageEvent<{ dbName: string; aggregates: AggregateDef[]; now: number; events: AggregateEvent[] }>) => {
  const { dbName, aggregates, now, events } = message.data;
  // Deliberately not closed: a terminated worker (a killed tab) never gets to close its connection.
  const store = await OnlineStore.open({ dbName, aggregates, now: () => now });
  await store.record(events);
  self.postMessage(await store.read(events[0].entity));
};
