/**
 * Vitest browser commands: code that runs in Node, called from tests running in Chromium. They let a
 * browser test compare what Chromium computed with what Node computes for the same input, live.
 */
import type { BrowserCommand } from 'vitest/node';
import { compile } from '../../src/features/compile.ts';
import { fit } from '../../src/features/fit.ts';
import type { FeatureSpec, RawRecord } from '../../src/features/FeatureSpec.ts';
import { registryCommands } from './registryServer.ts';

const nodeFeatures: BrowserCommand<[spec: FeatureSpec, records: RawRecord[]]> = async (_context, spec, records) =>
  // Float32 values are exact as JSON doubles, so the comparison on the browser side can be bit-exact.
  Array.from(compile(spec).transform(records));

const nodeFit: BrowserCommand<[spec: FeatureSpec, records: RawRecord[]]> = async (_context, spec, records) => fit(spec, records);

export const nodeCommands = { nodeFeatures, nodeFit, ...registryCommands };

declare module 'vitest/browser' {
  interface BrowserCommands {
    /** Features of `records` under `spec`, computed in Node. */
    nodeFeatures(spec: FeatureSpec, records: RawRecord[]): Promise<number[]>;
    /** `fit(spec, records)` computed in Node. */
    nodeFit(spec: FeatureSpec, records: RawRecord[]): Promise<FeatureSpec>;
  }
}
