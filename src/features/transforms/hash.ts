import type { HashStep } from '../FeatureSpec.ts';
import { fnv1aSeed, fnv1aUpdate } from '../fnv1a.ts';
import type { Transform } from './Transform.ts';

/**
 * Categories hashed into a fixed number of buckets: open vocabularies (product ids, towns) without shipping
 * a vocabulary, and an unseen value still gets a stable bucket. Missing values get no bucket (all zeros, NaN index).
 */
export const hash: Transform<HashStep> = {
  op: 'hash',
  accepts: ['category'],
  stage: (step) => (step.output === 'index' ? 'convert' : 'write'),
  width: (step) => (step.output === 'index' ? 0 : step.buckets),
  columns: (step, feature) => Array.from({ length: step.buckets }, (_, i) => `${feature}#${i}`),
  isFitted: (step) => Number.isInteger(step.buckets) && step.buckets > 0 && (step.seed === undefined || Number.isInteger(step.seed)),
  convert(step, column, rows, out) {
    const start = fnv1aSeed(step.seed);
    for (let i = 0; i < rows; i++) {
      const value = column[i];
      out[i] = value === null ? Number.NaN : (fnv1aUpdate(start, value) >>> 0) % step.buckets;
    }
  },
  write(step, column, rows, out, stride, offset) {
    const start = fnv1aSeed(step.seed);
    const values = column as (string | null)[];
    for (let i = 0; i < rows; i++) {
      const at = i * stride + offset;
      out.fill(0, at, at + step.buckets);
      const value = values[i];
      if (value !== null) out[at + ((fnv1aUpdate(start, value) >>> 0) % step.buckets)] = 1;
    }
  },
};
