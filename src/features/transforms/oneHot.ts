import type { OneHotStep } from '../FeatureSpec.ts';
import type { Transform } from './Transform.ts';

/** One column per vocabulary entry (sorted at fit time so the layout is stable), plus an OOV column when asked. */
export const oneHot: Transform<OneHotStep> = {
  op: 'oneHot',
  accepts: 'category',
  width: (step) => (step.vocabulary?.length ?? 0) + (step.oov ? 1 : 0),
  isFitted: (step) => Array.isArray(step.vocabulary) && step.vocabulary.length > 0,
  fit(step, column, rows) {
    const seen = new Set<string>();
    const values = column as (string | null)[];
    for (let i = 0; i < rows; i++) if (values[i] !== null) seen.add(values[i] as string);
    return { ...step, vocabulary: [...seen].sort() };
  },
  write(step, column, rows, out, stride, offset) {
    const vocabulary = step.vocabulary as readonly string[];
    const index = new Map(vocabulary.map((v, i) => [v, i] as const));
    const oovAt = step.oov ? vocabulary.length : -1;
    const width = vocabulary.length + (step.oov ? 1 : 0);
    const values = column as (string | null)[];
    for (let i = 0; i < rows; i++) {
      const at = i * stride + offset;
      out.fill(0, at, at + width);
      const hit = values[i] === null ? undefined : index.get(values[i] as string);
      if (hit !== undefined) out[at + hit] = 1;
      else if (oovAt >= 0) out[at + oovAt] = 1;
    }
  },
};
