import { describe, expect, it } from 'vitest';
import { DriftDecision, DriftKind } from '../../../src/monitor/drift/DriftStatistic.ts';
import { categoryCounts, quantileBinCounts } from '../../../src/monitor/drift/histogram.ts';
import { isDrift } from '../../../src/monitor/drift/isDrift.ts';
import { driftStatistics } from '../../../src/monitor/drift/registry.ts';
import { expectInputInvalid, relativeError, seattlePair, seattleSlice } from './scipyFixture.ts';

const tMax2012 = seattleSlice('tempMax', 'y2012');
const tMax2013 = seattleSlice('tempMax', 'y2013');

describe('driftStatistics registry', () => {
  it('holds described objects keyed by their names', () => {
    expect(Object.keys(driftStatistics).sort()).toEqual(['chisquare', 'jensenshannon', 'kl_div', 'ks', 'psi', 'wasserstein', 'z']);
    for (const [key, statistic] of Object.entries(driftStatistics)) {
      expect(statistic.name).toBe(key);
      expect(statistic.kinds.length).toBeGreaterThan(0);
      expect(statistic.description.length).toBeGreaterThan(0);
      const expectedThreshold = statistic.decision === DriftDecision.P_VALUE ? 0.05 : 0.1;
      expect(statistic.defaultThreshold).toBe(expectedThreshold);
    }
  });

  it('bins numeric values at the reference deciles exactly as numpy does', () => {
    const pair = seattlePair('y2012', 'y2013');
    const binned = quantileBinCounts(tMax2012, tMax2013, 10);
    expect(Array.from(binned.edges)).toEqual(pair.tempMax.referenceDeciles.slice(1, -1));
    expect(Array.from(binned.reference)).toEqual(pair.tempMax.naivePsi10Counts.expected);
    expect(Array.from(binned.current)).toEqual(pair.tempMax.naivePsi10Counts.actual);
  });

  it('computes numeric PSI, normalised Wasserstein and KS as scipy/numpy do on seattle temp_max', () => {
    const pair = seattlePair('y2012', 'y2013');
    const psiValue = driftStatistics.psi.compute(tMax2012, tMax2013, DriftKind.NUMERIC).statistic;
    expect(relativeError(psiValue, pair.tempMax.naivePsi10)).toBeLessThan(1e-12);
    const w = driftStatistics.wasserstein.compute(tMax2012, tMax2013, DriftKind.NUMERIC).statistic;
    expect(relativeError(w, pair.tempMax.wasserstein / pair.tempMax.referenceStd)).toBeLessThan(1e-9);
    const ks = driftStatistics.ks.compute(tMax2012, tMax2013, DriftKind.NUMERIC);
    expect(ks.statistic).toBe(pair.tempMax.ksStatistic);
    expect(Math.abs((ks.pValue as number) - pair.tempMax.ksPValue)).toBeLessThan(0.01);
  });

  it('computes the two-sample chi-square and Jensen–Shannon on seattle weather categories as scipy does', () => {
    for (const [reference, current] of [
      ['jan-jun', 'jul-dec'],
      ['y2012', 'y2013'],
    ] as const) {
      const pair = seattlePair(reference, current);
      const ref = seattleSlice('weather', reference);
      const cur = seattleSlice('weather', current);
      const chi = driftStatistics.chisquare.compute(ref, cur, DriftKind.CATEGORICAL);
      // scipy.stats.chi2_contingency([reference, current], correction=False)
      expect(relativeError(chi.statistic, pair.weather.contingencyStatistic)).toBeLessThan(1e-9);
      expect(relativeError(chi.pValue as number, pair.weather.contingencyPValue)).toBeLessThan(1e-9);
      // scipy's default base e: the units Evidently's 0.1 threshold is read in
      const js = driftStatistics.jensenshannon.compute(ref, cur, DriftKind.CATEGORICAL).statistic;
      expect(relativeError(js, pair.weather.jensenShannonNatural)).toBeLessThan(1e-12);
    }
  });

  it('counts categories over the union, so a new category is visible', () => {
    const counts = categoryCounts(['a', 'b', 'a'], ['b', 'c', null]);
    expect(counts.categories).toEqual(['a', 'b', 'c', null]);
    expect(Array.from(counts.reference)).toEqual([2, 1, 0, 0]);
    expect(Array.from(counts.current)).toEqual([0, 1, 1, 1]);
    // a category only the current window has is an ordinary cell of the contingency table, not p = 0
    // (scipy: chi2_contingency([[2, 1, 0], [0, 1, 1]], correction=False) → 35/12 on 2 dof, p = e^(−35/24))
    const chi = driftStatistics.chisquare.compute(['a', 'b', 'a'], ['b', 'c'], DriftKind.CATEGORICAL);
    expect(chi.statistic).toBeCloseTo(35 / 12, 12);
    expect(chi.pValue).toBeCloseTo(0.2326236579172927, 12);
  });

  it('keeps KL finite on empty bins and reads thresholds in the right direction', () => {
    const kl = driftStatistics.kl_div.compute(['a', 'a', 'b'], ['a', 'b', 'c'], DriftKind.CATEGORICAL);
    expect(Number.isFinite(kl.statistic)).toBe(true);
    expect(isDrift(driftStatistics.ks, { statistic: 0.3, pValue: 0.01 })).toBe(true);
    expect(isDrift(driftStatistics.ks, { statistic: 0.3, pValue: 0.2 })).toBe(false);
    expect(isDrift(driftStatistics.psi, { statistic: 0.1 })).toBe(true);
    expect(isDrift(driftStatistics.psi, { statistic: 0.09 })).toBe(false);
    expect(isDrift(driftStatistics.psi, { statistic: 0.09 }, 0.05)).toBe(true);
  });

  it('refuses kinds a statistic does not describe', () => {
    expectInputInvalid(() => driftStatistics.ks.compute(['a'], ['b'], DriftKind.CATEGORICAL), 'kind');
    expectInputInvalid(() => driftStatistics.chisquare.compute([1, 2], [1, 2], DriftKind.NUMERIC), 'kind');
    expectInputInvalid(() => driftStatistics.psi.compute(['x', 'y'], [1, 2], DriftKind.NUMERIC), 'reference');
  });
});
