import type { FeatureSpec } from './FeatureSpec.ts';

/** A raw input whose values are categories, as monitoring sketches it. */
export interface CategoricalInput {
  /** The input's name (the raw record's property). */
  readonly name: string;
  readonly type: 'category' | 'boolean';
  /**
   * The categories the spec knows: the input's allowed `values`, else the first `oneHot` vocabulary of a
   * feature reading it (`true`/`false` for a boolean). Absent: only a baseline can tell.
   */
  readonly vocabulary?: readonly string[];
}

/**
 * The category and boolean inputs a spec's features read (a `cross`'s second input included), in spec
 * order: what monitoring counts as categories, by name, instead of testing their one-hot or index
 * columns as numbers.
 */
export function categoricalInputs(spec: FeatureSpec): CategoricalInput[] {
  const read = new Set<string>();
  const vocabularies = new Map<string, readonly string[]>();
  for (const feature of spec.features ?? []) {
    read.add(feature.input);
    for (const step of feature.steps ?? []) {
      if (step.op === 'cross') read.add(step.with);
      if (step.op === 'oneHot' && step.vocabulary && !vocabularies.has(feature.input)) vocabularies.set(feature.input, step.vocabulary);
    }
  }
  const out: CategoricalInput[] = [];
  for (const input of spec.inputs ?? []) {
    if (!read.has(input.name)) continue;
    if (input.type === 'boolean') out.push({ name: input.name, type: 'boolean', vocabulary: ['false', 'true'] });
    else if (input.type === 'category') {
      const vocabulary = input.values ?? vocabularies.get(input.name);
      out.push({ name: input.name, type: 'category', ...(vocabulary ? { vocabulary: [...vocabulary] } : {}) });
    }
  }
  return out;
}
