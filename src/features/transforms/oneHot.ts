import type { OneHotStep } from '../FeatureSpec.ts';
import type { Transform } from './Transform.ts';

/** Vocabulary → column index, built once per fitted step rather than once per batch. */
const indexes = new WeakMap<OneHotStep, Map<string, number>>();

function indexOf(step: OneHotStep): Map<string, number> {
  let index = indexes.get(step);
  if (!index) {
    index = new Map((step.vocabulary as readonly string[]).map((v, i) => [v, i] as const));
    indexes.set(step, index);
  }
  return index;
}

/** One column per vocabulary entry (sorted at fit time so the layout is stable), plus an OOV column when asked. */
export const oneHot: Transform<OneHotStep> = {
  op: 'oneHot',
  accepts: ['category'],
  stage: () => 'write',
  width: (step) => (step.vocabulary?.length ?? 0) + (step.oov ? 1 : 0),
  columns(step, feature) {
    const names = (step.vocabulary ?? []).map((v) => `${feature}=${v}`);
    if (step.oov) names.push(`${feature}=<oov>`);
    return names;
  },
  isFitted: (step) => Array.isArray(step.vocabulary) && step.vocabulary.length > 0,
  fit(step, column, rows) {
    const seen = new Set<string>();
    const values = column as (string | null)[];
    for (let i = 0; i < rows; i++) if (values[i] !== null) seen.add(values[i] as string);
    return { ...step, vocabulary: [...seen].sort() };
  },
  write(step, column, rows, out, stride, offset) {
    const index = indexOf(step);
    const size = (step.vocabulary as readonly string[]).length;
    const oovAt = step.oov ? size : -1;
    const width = size + (step.oov ? 1 : 0);
    const values = column as (string | null)[];
    let unseen = 0;
    for (let i = 0; i < rows; i++) {
      const at = i * stride + offset;
      out.fill(0, at, at + width);
      const value = values[i];
      const hit = value === null ? undefined : index.get(value);
      if (hit !== undefined) {
        out[at + hit] = 1;
        continue;
      }
      if (value !== null) unseen++;
      if (oovAt >= 0) out[at + oovAt] = 1;
    }
    return unseen;
  },
};
