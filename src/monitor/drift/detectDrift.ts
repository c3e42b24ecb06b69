import { benjaminiHochberg } from './benjaminiHochberg.ts';
import { chooseStatistic, type ChooseStatisticOptions } from './chooseStatistic.ts';
import { DriftDecision, type DriftKind, type DriftStatistic, type FeatureValues } from './DriftStatistic.ts';
import { isDrift } from './isDrift.ts';
import { type MissingRateTest, missingRateTest } from './missingRate.ts';
import { driftStatistics, type DriftStatisticName } from './registry.ts';
import { invalidInput } from './validate.ts';

/** Significance of the missing-rate test next to a distance (whose threshold is not a p-value). */
const ALPHA = 0.05;

/** Outcome for one feature. */
export const DriftVerdict = {
  DRIFT: 'drift',
  NO_DRIFT: 'no-drift',
  /** Too few rows in a window to say anything; no statistic was computed. */
  INSUFFICIENT_DATA: 'insufficient-data',
} as const;

/** One of the {@link DriftVerdict} strings. */
export type DriftVerdict = (typeof DriftVerdict)[keyof typeof DriftVerdict];

/** One feature's reference and current windows. */
export interface FeatureWindows {
  readonly name: string;
  readonly kind: DriftKind;
  readonly reference: FeatureValues;
  readonly current: FeatureValues;
  /** Overrides the automatic choice: a registry name or a custom statistic object. */
  readonly statistic?: DriftStatisticName | DriftStatistic;
  /** Overrides the statistic's default threshold. */
  readonly threshold?: number;
}

/** Options of {@link detectDrift}. */
export interface DetectDriftOptions {
  /**
   * Rows required in each window before any verdict (default 50): below that asymptotic p-values,
   * decile bins and expected counts are too coarse to trust in either direction.
   */
  readonly minSampleSize?: number;
  /**
   * Benjamini–Hochberg adjustment of p-values across the features that use a test (default true),
   * so that monitoring many features does not multiply false alarms. Distances are not adjusted.
   */
  readonly controlFalseDiscoveries?: boolean;
  /** Passed to {@link chooseStatistic}. */
  readonly choose?: ChooseStatisticOptions;
}

/** Per-feature drift report. */
export interface FeatureDrift {
  readonly name: string;
  /** How the values were read (may be categorical for a low-cardinality numeric feature). */
  readonly kind: DriftKind;
  readonly statistic: string;
  readonly decision: DriftDecision;
  readonly threshold: number;
  readonly verdict: DriftVerdict;
  /** Statistic value; `undefined` for {@link DriftVerdict.INSUFFICIENT_DATA}. */
  readonly value?: number;
  /** Raw p-value of a test. */
  readonly pValue?: number;
  /** BH-adjusted p-value that the verdict used, when false-discovery control is on. */
  readonly adjustedPValue?: number;
  /** Why this statistic (automatic choice) or "explicit". */
  readonly reason: string;
  /**
   * Present when either window held NaN (missing) or ±Infinity (invalid) numbers: those are dropped
   * before the statistic and their share is tested on its own; its verdict counts in `verdict`.
   */
  readonly missingRate?: MissingRateTest & { readonly adjustedPValue?: number; readonly verdict: DriftVerdict };
}

/** A window without its non-finite numbers, and how many there were. */
function dropNonFinite(values: FeatureValues): { values: FeatureValues; missing: number; invalid: number; total: number } {
  let missing = 0;
  let invalid = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v === 'number' && !Number.isFinite(v)) {
      if (Number.isNaN(v)) missing++;
      else invalid++;
    }
  }
  if (missing + invalid === 0) return { values, missing, invalid, total: values.length };
  const kept: (string | number | null)[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || Number.isFinite(v)) kept.push(v);
  }
  return { values: kept as FeatureValues, missing, invalid, total: values.length };
}

/**
 * Compares reference and current windows feature by feature: chooses a statistic per feature
 * (unless given), withholds a verdict below the minimum sample size, and applies
 * Benjamini–Hochberg across the p-value features before reading thresholds. NaN and ±Infinity numbers
 * are dropped and counted, never thrown on: when a window has any, the missing/invalid share is
 * tested too (see {@link FeatureDrift.missingRate}) and joins the Benjamini–Hochberg family.
 *
 * @throws EdgewatchError `INPUT_INVALID` for an unknown statistic name, or whatever the statistic
 *   throws for malformed values.
 */
export function detectDrift(features: readonly FeatureWindows[], options: DetectDriftOptions = {}): FeatureDrift[] {
  const minSampleSize = options.minSampleSize ?? 50;
  const controlFalseDiscoveries = options.controlFalseDiscoveries ?? true;

  const rows = features.map((feature) => {
    const reference = dropNonFinite(feature.reference);
    const current = dropNonFinite(feature.current);
    let statistic: DriftStatistic;
    let kind = feature.kind;
    let reason = 'explicit';
    if (feature.statistic === undefined) {
      const choice = chooseStatistic(feature.kind, reference.values, options.choose, current.values);
      statistic = choice.statistic;
      kind = choice.kind;
      reason = choice.reason;
    } else if (typeof feature.statistic === 'string') {
      // hasOwn, not `in`: a name like 'toString' must not resolve to a prototype member
      if (!Object.hasOwn(driftStatistics, feature.statistic)) {
        throw invalidInput('statistic', 'unknown-statistic', `unknown drift statistic '${feature.statistic}'`);
      }
      statistic = (driftStatistics as Record<string, DriftStatistic>)[feature.statistic];
    } else {
      statistic = feature.statistic;
    }
    const threshold = feature.threshold ?? statistic.defaultThreshold;
    const base = { name: feature.name, kind, statistic: statistic.name, decision: statistic.decision, threshold, reason };
    const missing = reference.total >= minSampleSize && current.total >= minSampleSize ? missingRateTest(reference, current) : undefined;
    if (reference.values.length < minSampleSize || current.values.length < minSampleSize) {
      return { base, statistic, result: undefined, missing };
    }
    return { base, statistic, result: statistic.compute(reference.values, current.values, kind), missing };
  });

  // one Benjamini–Hochberg family: the distribution tests and the missing-rate tests
  const family: { p: number; set: (q: number) => void }[] = [];
  const adjusted = new Map<(typeof rows)[number], number>();
  const adjustedMissing = new Map<(typeof rows)[number], number>();
  for (const row of rows) {
    if (row.result?.pValue !== undefined && row.statistic.decision === DriftDecision.P_VALUE) {
      family.push({ p: row.result.pValue, set: (q) => adjusted.set(row, q) });
    }
    if (row.missing) family.push({ p: row.missing.pValue, set: (q) => adjustedMissing.set(row, q) });
  }
  if (controlFalseDiscoveries && family.length > 0) {
    const bh = benjaminiHochberg(family.map((f) => f.p));
    family.forEach((f, i) => {
      f.set(bh.adjusted[i]);
    });
  }

  return rows.map((row): FeatureDrift => {
    let missingRate: FeatureDrift['missingRate'];
    if (row.missing) {
      const q = adjustedMissing.get(row);
      const read = q ?? row.missing.pValue;
      missingRate = {
        ...row.missing,
        ...(q === undefined ? {} : { adjustedPValue: q }),
        verdict: read < (row.statistic.decision === DriftDecision.P_VALUE ? row.base.threshold : ALPHA) ? DriftVerdict.DRIFT : DriftVerdict.NO_DRIFT,
      };
    }
    const missingDrift = missingRate?.verdict === DriftVerdict.DRIFT;
    const extra = missingRate ? { missingRate } : {};
    if (row.result === undefined) return { ...row.base, verdict: missingDrift ? DriftVerdict.DRIFT : DriftVerdict.INSUFFICIENT_DATA, ...extra };
    const q = adjusted.get(row);
    const read = q === undefined ? row.result : { ...row.result, pValue: q };
    const drift = isDrift(row.statistic, read, row.base.threshold) || missingDrift;
    return {
      ...row.base,
      verdict: drift ? DriftVerdict.DRIFT : DriftVerdict.NO_DRIFT,
      value: row.result.statistic,
      ...(row.result.pValue === undefined ? {} : { pValue: row.result.pValue }),
      ...(q === undefined ? {} : { adjustedPValue: q }),
      ...extra,
    };
  });
}
