import { EdgewatchError, ErrorCode } from '../errors.ts';

/** What a windowed aggregate computes over an entity's events. */
export const AggregateKind = {
  /** Number of events. */
  count: 'count',
  /** Sum of a numeric field. */
  sum: 'sum',
  /** Mean of a numeric field (null when the window holds none). */
  mean: 'mean',
  /** The field's most recent value (null when none). */
  last: 'last',
  /** Number of distinct values of a field. */
  distinct: 'distinct',
} as const;
/** One of {@link AggregateKind}. */
export type AggregateKind = (typeof AggregateKind)[keyof typeof AggregateKind];

/** A duration such as `'30m'`, `'1h'`, `'7d'`. */
export type Duration = `${number}${'m' | 'h' | 'd'}`;

/**
 * One windowed per-entity aggregate, e.g. `{ name: 'predictions_1h', kind: 'count', window: '1h' }`
 * ("predictions for this user in the last hour"). `name` is also the field `enrich()` adds to records, so a
 * feature spec can declare it as a number input.
 */
export interface AggregateDef {
  readonly name: string;
  readonly kind: AggregateKind;
  /** Event field the aggregate reads; not needed for `count`. */
  readonly field?: string;
  /** How far back the window reaches. */
  readonly window: Duration;
  /**
   * Bucket size: the window's resolution and the unit of storage. Default: 1 minute for windows up to
   * 2 hours, 1 hour up to 7 days, 1 day beyond. The window is the last ⌈window / bucket⌉ buckets,
   * the current (partial) one included.
   */
  readonly bucket?: Duration;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const UNIT = { m: MINUTE, h: HOUR, d: DAY } as const;

/** A duration in ms; throws `MANIFEST_INVALID` for anything but a positive number and m/h/d. */
export function durationMs(duration: Duration): number {
  const match = /^(\d+(?:\.\d+)?)([mhd])$/.exec(String(duration));
  const ms = match ? Number(match[1]) * UNIT[match[2] as keyof typeof UNIT] : Number.NaN;
  if (!(ms > 0) || !Number.isInteger(ms)) {
    throw new EdgewatchError(ErrorCode.MANIFEST_INVALID, `"${duration}" is not a duration like 30m, 1h or 7d`, { duration });
  }
  return ms;
}

/** An aggregate with its sizes resolved. */
export interface ResolvedAggregate extends AggregateDef {
  readonly windowMs: number;
  readonly bucketMs: number;
  /** Buckets the window spans. */
  readonly buckets: number;
  /** Storage key: changes whenever stored buckets would mean something else. */
  readonly key: string;
}

/** Checks a definition and resolves its window and bucket sizes. */
export function resolveAggregate(def: AggregateDef): ResolvedAggregate {
  const fail = (reason: string) => new EdgewatchError(ErrorCode.MANIFEST_INVALID, `Aggregate "${def?.name}": ${reason}`, { aggregate: def?.name });
  if (typeof def?.name !== 'string' || def.name === '') throw fail('needs a name');
  if (!Object.hasOwn(AggregateKind, def.kind)) throw fail(`unknown kind "${def.kind}"`);
  if (def.kind !== 'count' && (typeof def.field !== 'string' || def.field === '')) throw fail(`a ${def.kind} needs a field`);
  const windowMs = durationMs(def.window);
  const bucketMs = def.bucket ? durationMs(def.bucket) : windowMs <= 2 * HOUR ? MINUTE : windowMs <= 7 * DAY ? HOUR : DAY;
  if (bucketMs > windowMs) throw fail('bucket is longer than the window');
  const buckets = Math.ceil(windowMs / bucketMs);
  return { ...def, windowMs, bucketMs, buckets, key: `${def.name}|${def.kind}|${def.field ?? ''}|${bucketMs}` };
}
