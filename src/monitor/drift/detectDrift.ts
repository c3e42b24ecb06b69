import { benjaminiHochberg } from './benjaminiHochberg.ts';
import { chooseStatistic, type ChooseStatisticOptions } from './chooseStatistic.ts';
import { DriftDecision, type DriftKind, type DriftStatistic, type FeatureValues } from './DriftStatistic.ts';
import { isDrift } from './isDrift.ts';
import { driftStatistics, type DriftStatisticName } from './registry.ts';
import { invalidInput } from './validate.ts';

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
}

/**
 * Compares reference and current windows feature by feature: chooses a statistic per feature
 * (unless given), withholds a verdict below the minimum sample size, and applies
 * Benjamini–Hochberg across the p-value features before reading thresholds.
 *
 * @throws EdgewatchError `INPUT_INVALID` for an unknown statistic name, or whatever the statistic
 *   throws for malformed values.
 */
export function detectDrift(features: readonly FeatureWindows[], options: DetectDriftOptions = {}): FeatureDrift[] {
  const minSampleSize = options.minSampleSize ?? 50;
  const controlFalseDiscoveries = options.controlFalseDiscoveries ?? true;

  const rows = features.map((feature) => {
    let statistic: DriftStatistic;
    let kind = feature.kind;
    let reason = 'explicit';
    if (feature.statistic === undefined) {
      const choice = chooseStatistic(feature.kind, feature.reference, options.choose);
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
    if (feature.reference.length < minSampleSize || feature.current.length < minSampleSize) {
      return { base, statistic, result: undefined };
    }
    return { base, statistic, result: statistic.compute(feature.reference, feature.current, kind) };
  });

  const tested = rows.filter((row) => row.result?.pValue !== undefined && row.statistic.decision === DriftDecision.P_VALUE);
  const adjusted = new Map<(typeof rows)[number], number>();
  if (controlFalseDiscoveries && tested.length > 0) {
    const bh = benjaminiHochberg(tested.map((row) => row.result?.pValue as number));
    tested.forEach((row, i) => {
      adjusted.set(row, bh.adjusted[i]);
    });
  }

  return rows.map((row): FeatureDrift => {
    if (row.result === undefined) return { ...row.base, verdict: DriftVerdict.INSUFFICIENT_DATA };
    const q = adjusted.get(row);
    const read = q === undefined ? row.result : { ...row.result, pValue: q };
    const drift = isDrift(row.statistic, read, row.base.threshold);
    return {
      ...row.base,
      verdict: drift ? DriftVerdict.DRIFT : DriftVerdict.NO_DRIFT,
      value: row.result.statistic,
      ...(row.result.pValue === undefined ? {} : { pValue: row.result.pValue }),
      ...(q === undefined ? {} : { adjustedPValue: q }),
    };
  });
}
