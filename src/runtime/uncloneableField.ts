import type { RawRecord } from '../features/FeatureSpec.ts';

/** Why one record cannot cross to the worker, and which field. */
export interface Uncloneable {
  /** The field, or '' when the record itself is the problem (a Proxy, a throwing trap). */
  readonly field: string;
  readonly reason: string;
}

function describe(error: unknown): string {
  const name = (error as { name?: unknown })?.name;
  return name === 'DataCloneError'
    ? 'cannot be sent to the worker (a function, Symbol, Proxy or other value structured clone refuses)'
    : `threw when read: ${String(error)}`;
}

/**
 * Why `record` cannot be structured-cloned, or undefined when it can. Only run after a batch failed to post
 * (a DataCloneError or a throwing getter), so the hot path pays nothing: it clones the record once, and
 * only a record that fails is taken apart to name its field.
 */
export function uncloneableField(record: RawRecord): Uncloneable | undefined {
  try {
    structuredClone(record);
    return undefined;
  } catch (error) {
    let keys: string[];
    try {
      keys = Object.keys(record);
    } catch (trap) {
      return { field: '', reason: describe(trap) };
    }
    for (const key of keys) {
      try {
        structuredClone((record as Record<string, unknown>)[key]);
      } catch (inner) {
        return { field: key, reason: describe(inner) };
      }
    }
    return { field: '', reason: describe(error) };
  }
}
