import { describe, expect, it } from 'vitest';
import { chooseStatistic } from '../../../src/monitor/drift/chooseStatistic.ts';
import { detectDrift, DriftVerdict } from '../../../src/monitor/drift/detectDrift.ts';
import { DriftKind } from '../../../src/monitor/drift/DriftStatistic.ts';
import { isDrift } from '../../../src/monitor/drift/isDrift.ts';
import { driftStatistics } from '../../../src/monitor/drift/registry.ts';
import { expectInputInvalid, relativeError, seattlePair, seattleSlice } from './scipyFixture.ts';

const ramp = (n: number): number[] => Array.from({ length: n }, (_, i) => i * 0.37);

describe('chooseStatistic', () => {
  it('uses KS for small numeric references and normalised Wasserstein for large ones', () => {
    expect(chooseStatistic(DriftKind.NUMERIC, ramp(1000)).statistic.name).toBe('ks');
    expect(chooseStatistic(DriftKind.NUMERIC, ramp(1001)).statistic.name).toBe('wasserstein');
    expect(chooseStatistic(DriftKind.NUMERIC, ramp(300), { smallSampleSize: 200 }).statistic.name).toBe('wasserstein');
  });

  it('treats numeric features with few distinct values as categorical', () => {
    const choice = chooseStatistic(
      DriftKind.NUMERIC,
      Array.from({ length: 400 }, (_, i) => i % 3),
    );
    expect(choice.statistic.name).toBe('chisquare');
    expect(choice.kind).toBe(DriftKind.CATEGORICAL);
    const big = chooseStatistic(
      DriftKind.NUMERIC,
      new Float64Array(5000).map((_, i) => i % 2),
    );
    expect(big.statistic.name).toBe('jensenshannon');
  });

  it('uses chi-square for small categorical references with few categories, else Jensen–Shannon', () => {
    const few = Array.from({ length: 500 }, (_, i) => `c${i % 10}`);
    expect(chooseStatistic(DriftKind.CATEGORICAL, few).statistic.name).toBe('chisquare');
    const many = Array.from({ length: 500 }, (_, i) => `c${i % 200}`);
    expect(chooseStatistic(DriftKind.CATEGORICAL, many).statistic.name).toBe('jensenshannon');
    const large = Array.from({ length: 5000 }, (_, i) => `c${i % 3}`);
    expect(chooseStatistic(DriftKind.CATEGORICAL, large).statistic.name).toBe('jensenshannon');
  });

  it('returns the default threshold and a reason', () => {
    const choice = chooseStatistic(DriftKind.NUMERIC, ramp(100));
    expect(choice.threshold).toBe(driftStatistics.ks.defaultThreshold);
    expect(choice.reason).toMatch(/numeric/);
  });
});

describe('seattle-weather temp_max through the automatic choice', () => {
  const verdict = (reference: string, current: string) => {
    const ref = seattleSlice('tempMax', reference);
    const cur = seattleSlice('tempMax', current);
    const choice = chooseStatistic(DriftKind.NUMERIC, ref);
    const result = choice.statistic.compute(ref, cur, choice.kind);
    return { choice, result, drift: isDrift(choice.statistic, result, choice.threshold) };
  };

  it('alarms on Jan–Jun vs Jul–Dec', () => {
    const { choice, result, drift } = verdict('jan-jun', 'jul-dec');
    const pair = seattlePair('jan-jun', 'jul-dec');
    expect(choice.statistic.name).toBe('ks');
    expect(result.statistic).toBe(pair.tempMax.ksStatistic);
    expect(result.pValue).toBeLessThan(1e-15);
    expect(drift).toBe(true);
  });

  it('does not alarm on 2012 vs 2013, where naive decile PSI does', () => {
    const { choice, result, drift } = verdict('y2012', 'y2013');
    const pair = seattlePair('y2012', 'y2013');
    expect(choice.statistic.name).toBe('ks');
    expect(Math.abs((result.pValue as number) - pair.tempMax.ksPValue)).toBeLessThan(0.01);
    expect(result.pValue).toBeGreaterThan(0.05);
    expect(drift).toBe(false);
    // the false alarm the automatic choice avoids
    const naive = driftStatistics.psi.compute(seattleSlice('tempMax', 'y2012'), seattleSlice('tempMax', 'y2013'), DriftKind.NUMERIC);
    expect(naive.statistic).toBeGreaterThan(0.14);
    expect(isDrift(driftStatistics.psi, naive)).toBe(true);
  });
});

describe('detectDrift', () => {
  const windows = (reference: string, current: string) => [
    { name: 'temp_max', kind: DriftKind.NUMERIC, reference: seattleSlice('tempMax', reference), current: seattleSlice('tempMax', current) },
    { name: 'weather', kind: DriftKind.CATEGORICAL, reference: seattleSlice('weather', reference), current: seattleSlice('weather', current) },
  ];

  it('reports per feature with BH-adjusted p-values', () => {
    const [temp, weather] = detectDrift(windows('jan-jun', 'jul-dec'));
    expect(temp.statistic).toBe('ks');
    expect(temp.verdict).toBe(DriftVerdict.DRIFT);
    expect(weather.statistic).toBe('chisquare');
    expect(weather.verdict).toBe(DriftVerdict.DRIFT);
    // two tests: the smaller p-value is doubled, the larger kept (both tiny here)
    const pMin = Math.min(temp.pValue as number, weather.pValue as number);
    const qMin = Math.min(temp.adjustedPValue as number, weather.adjustedPValue as number);
    expect(relativeError(qMin, 2 * pMin)).toBeLessThan(1e-15);
  });

  it('lets BH turn a marginal single-feature alarm into no alarm', () => {
    const feature = { name: 'x', kind: DriftKind.NUMERIC, reference: [0], current: [0], statistic: 'ks' as const };
    // a custom test statistic with a fixed p-value makes the arithmetic visible: 0.04 alone drifts, 0.04 among
    // {0.04, 0.5} adjusts to 0.08 and does not
    const fixed = (p: number) => ({
      ...driftStatistics.ks,
      compute: () => ({ statistic: 0, pValue: p }),
    });
    const alone = detectDrift([{ ...feature, statistic: fixed(0.04) }], { minSampleSize: 1 });
    expect(alone[0].verdict).toBe(DriftVerdict.DRIFT);
    const together = detectDrift(
      [
        { ...feature, statistic: fixed(0.04) },
        { ...feature, name: 'y', statistic: fixed(0.5) },
      ],
      { minSampleSize: 1 },
    );
    expect(together[0].adjustedPValue).toBeCloseTo(0.08, 14);
    expect(together[0].verdict).toBe(DriftVerdict.NO_DRIFT);
    const raw = detectDrift(
      [
        { ...feature, statistic: fixed(0.04) },
        { ...feature, name: 'y', statistic: fixed(0.5) },
      ],
      { minSampleSize: 1, controlFalseDiscoveries: false },
    );
    expect(raw[0].verdict).toBe(DriftVerdict.DRIFT);
    expect(raw[0].adjustedPValue).toBeUndefined();
  });

  it('withholds a verdict below the minimum sample size', () => {
    const short = seattleSlice('tempMax', 'y2013').slice(0, 49);
    const [result] = detectDrift([{ name: 't', kind: DriftKind.NUMERIC, reference: seattleSlice('tempMax', 'y2012'), current: short }]);
    expect(result.verdict).toBe(DriftVerdict.INSUFFICIENT_DATA);
    expect(result.value).toBeUndefined();
    const [enough] = detectDrift([{ name: 't', kind: DriftKind.NUMERIC, reference: seattleSlice('tempMax', 'y2012'), current: short }], { minSampleSize: 49 });
    expect(enough.verdict).not.toBe(DriftVerdict.INSUFFICIENT_DATA);
  });

  it('honours explicit statistics and thresholds, and rejects unknown names', () => {
    const [psiResult] = detectDrift([{ ...windows('y2012', 'y2013')[0], statistic: 'psi' }]);
    expect(psiResult.verdict).toBe(DriftVerdict.DRIFT);
    expect(psiResult.reason).toBe('explicit');
    const [relaxed] = detectDrift([{ ...windows('y2012', 'y2013')[0], statistic: 'psi', threshold: 0.25 }]);
    expect(relaxed.verdict).toBe(DriftVerdict.NO_DRIFT);
    expectInputInvalid(() => detectDrift([{ ...windows('y2012', 'y2013')[0], statistic: 'toString' as 'psi' }]), 'statistic');
  });
});
