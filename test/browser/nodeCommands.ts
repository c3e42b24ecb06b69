/**
 * Vitest browser commands: code that runs in Node, called from tests running in Chromium. They let a
 * browser test compare what Chromium computed with what Node computes for the same input, live.
 */
import type { BrowserContext } from 'playwright';
import type { BrowserCommand } from 'vitest/node';
import { compile } from '../../src/features/compile.ts';
import { fit } from '../../src/features/fit.ts';
import type { FeatureSpec, RawRecord } from '../../src/features/FeatureSpec.ts';
import { loopCommands } from './loopCommands.ts';
import { registryCommands } from './registryServer.ts';

const nodeFeatures: BrowserCommand<[spec: FeatureSpec, records: RawRecord[]]> = async (_context, spec, records) =>
  // Float32 values are exact as JSON doubles, so the comparison on the browser side can be bit-exact.
  Array.from(compile(spec).transform(records));

const nodeFit: BrowserCommand<[spec: FeatureSpec, records: RawRecord[]]> = async (_context, spec, records) => fit(spec, records);

/**
 * Shrinks (or, with null, restores) the storage quota of `origin` through the Chrome DevTools Protocol
 * (`Storage.overrideQuotaForOrigin`): what a full disk looks like to Cache Storage and IndexedDB.
 */
const quotaSessions = new Map<string, Awaited<ReturnType<BrowserContext['newCDPSession']>>>();
const storageQuota: BrowserCommand<[origin: string, bytes: number | null]> = async (context, origin, bytes) => {
  // The override lives as long as the DevTools session that set it: kept open until the quota is restored.
  let session = quotaSessions.get(origin);
  if (bytes === null) {
    if (!session) return;
    quotaSessions.delete(origin);
    await session.send('Storage.overrideQuotaForOrigin', { origin });
    await session.detach();
    return;
  }
  if (!session) {
    session = await context.page.context().newCDPSession(context.page);
    quotaSessions.set(origin, session);
  }
  await session.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: bytes });
};

export const nodeCommands = { nodeFeatures, nodeFit, storageQuota, ...registryCommands, ...loopCommands };

declare module 'vitest/browser' {
  interface BrowserCommands {
    /** Features of `records` under `spec`, computed in Node. */
    nodeFeatures(spec: FeatureSpec, records: RawRecord[]): Promise<number[]>;
    /** `fit(spec, records)` computed in Node. */
    nodeFit(spec: FeatureSpec, records: RawRecord[]): Promise<FeatureSpec>;
    /** Overrides the storage quota of `origin` (bytes), or restores it (null). */
    storageQuota(origin: string, bytes: number | null): Promise<void>;
  }
}
