import { DriftDecision, type DriftStatistic, type DriftStatisticResult } from './DriftStatistic.ts';

/**
 * Reads a computed statistic against a threshold: for tests, drift when `pValue < threshold`;
 * for distances, drift when `statistic >= threshold` (Evidently's conventions).
 *
 * @param threshold - defaults to the statistic's {@link DriftStatistic.defaultThreshold}.
 */
export function isDrift(
  statistic: Pick<DriftStatistic, 'decision' | 'defaultThreshold'>,
  result: DriftStatisticResult,
  threshold: number = statistic.defaultThreshold,
): boolean {
  if (statistic.decision === DriftDecision.P_VALUE) {
    return result.pValue !== undefined && result.pValue < threshold;
  }
  return result.statistic >= threshold;
}
