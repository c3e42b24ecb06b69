import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../src/demo/random.ts';
import { chiSquareContingency } from '../../../src/monitor/drift/chiSquareContingency.ts';
import { chiSquareTest } from '../../../src/monitor/drift/chiSquareTest.ts';
import { chooseStatistic } from '../../../src/monitor/drift/chooseStatistic.ts';
import { detectDrift, DriftVerdict } from '../../../src/monitor/drift/detectDrift.ts';
import { DriftKind } from '../../../src/monitor/drift/DriftStatistic.ts';
import { categoryCounts } from '../../../src/monitor/drift/histogram.ts';
import { driftStatistics } from '../../../src/monitor/drift/registry.ts';
import { fisherExactPValue, twoProportionTest, twoProportionZTest } from '../../../src/monitor/drift/twoProportionTest.ts';
import { penguins, realColumns } from '../../support/realColumns.ts';
import { expectInputInvalid, fixture, num, relativeError } from './scipyFixture.ts';

describe('chiSquareContingency vs scipy.stats.chi2_contingency(correction=False)', () => {
  it(`agrees to 1e-9 relative on ${fixture.chiSquareContingency.length} cases, unseen categories included`, () => {
    for (const c of fixture.chiSquareContingency) {
      const r = chiSquareContingency(c.reference, c.current);
      expect(r.dof, JSON.stringify(c)).toBe(c.dof);
      expect(relativeError(r.statistic, num(c.statistic)), JSON.stringify(c)).toBeLessThan(1e-9);
      expect(relativeError(r.pValue, num(c.pValue)), JSON.stringify(c)).toBeLessThan(1e-9);
    }
    // the goodness-of-fit test calls the same unseen category certain drift
    expect(chiSquareTest([45, 42, 1, 12], [50, 40, 0, 10]).pValue).toBe(0);
    expect(chiSquareContingency([50, 40, 0, 10], [45, 42, 1, 12]).pValue).toBeGreaterThan(0.5);
  });
  it('rejects malformed input', () => {
    expectInputInvalid(() => chiSquareContingency([1, 2], [1, 2, 3]), 'current');
    expectInputInvalid(() => chiSquareContingency([0, 0], [1, 2]), 'reference');
    expectInputInvalid(() => chiSquareContingency([1, Number.NaN], [1, 2]), 'reference');
  });
});

describe('two proportions vs scipy (z² = 2×2 χ², fisher_exact)', () => {
  it(`agrees on ${fixture.twoProportion.length} tables`, () => {
    for (const c of fixture.twoProportion) {
      const z = twoProportionZTest(c.x1, c.n1, c.x2, c.n2);
      expect(Math.abs(z.statistic - num(c.z)), JSON.stringify(c)).toBeLessThan(1e-9);
      expect(relativeError(z.pValue, num(c.zPValue)), JSON.stringify(c)).toBeLessThan(1e-9);
      expect(relativeError(fisherExactPValue(c.x1, c.n1, c.x2, c.n2), num(c.fisherPValue)), JSON.stringify(c)).toBeLessThan(1e-9);
    }
  });
  it('uses Fisher where an expected count is under 5: one NaN against none is not drift, half NaN is', () => {
    const one = twoProportionTest(0, 1000, 1, 100);
    expect(one.method).toBe('fisher');
    expect(one.pValue).toBeGreaterThan(0.05);
    // the z-test alone would call it: z ≈ 3.16
    expect(twoProportionZTest(0, 1000, 1, 100).pValue).toBeLessThan(0.01);
    const half = twoProportionTest(0, 1000, 50, 100);
    expect(half.pValue).toBeLessThan(1e-30);
    expect(twoProportionTest(120, 400, 90, 410).method).toBe('z');
    expectInputInvalid(() => twoProportionTest(5, 4, 1, 10), 'reference');
    expectInputInvalid(() => twoProportionTest(1, 10, 1.5, 10), 'current');
  });
});

/** Fisher–Yates with a seeded generator. */
function shuffled<T>(values: readonly T[], seed: number): T[] {
  const out = [...values];
  const random = mulberry32(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

describe('categorical drift on random halves of one period (real data) false-alarms at the nominal rate', () => {
  const columns = realColumns;
  const SEEDS = 40;

  it(`over ${SEEDS} seeded splits of each of ${columns.length} columns: ≤ 5 % (goodness of fit against the reference proportions: far more)`, () => {
    let alarms = 0;
    let goodnessOfFitAlarms = 0;
    let trials = 0;
    for (const [name, kind, values] of columns) {
      let columnAlarms = 0;
      for (let seed = 1; seed <= SEEDS; seed++) {
        const all = shuffled(values, seed * 7919);
        const half = all.length >> 1;
        const reference = all.slice(0, half);
        const current = all.slice(half);
        const [result] = detectDrift([{ name, kind, reference, current }], { controlFalseDiscoveries: false });
        expect(result.statistic, name).toBe('chisquare');
        expect(result.pValue, `${name} seed ${seed}`).toBeGreaterThan(0);
        if (result.verdict === DriftVerdict.DRIFT) columnAlarms++;
        const counts = categoryCounts(reference, current);
        if (chiSquareTest(counts.current, counts.reference).pValue < 0.05) goodnessOfFitAlarms++;
        trials++;
      }
      alarms += columnAlarms;
      expect(columnAlarms / SEEDS, name).toBeLessThanOrEqual(0.1);
    }
    expect(alarms / trials).toBeLessThanOrEqual(0.05);
    expect(goodnessOfFitAlarms / trials).toBeGreaterThan(0.15);
  });

  it('binary features use the two-proportion z-test, at the nominal rate too', () => {
    const sex = penguins.map((r) => r.Sex).filter((s) => s === 'MALE' || s === 'FEMALE');
    let alarms = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const all = shuffled(sex, seed);
      const [result] = detectDrift([{ name: 'sex', kind: DriftKind.CATEGORICAL, reference: all.slice(0, 166), current: all.slice(166) }]);
      expect(result.statistic).toBe('z');
      if (result.verdict === DriftVerdict.DRIFT) alarms++;
    }
    expect(alarms / SEEDS).toBeLessThanOrEqual(0.05);
    // and a real shift is seen: males only vs the mix
    const [shifted] = detectDrift([{ name: 'sex', kind: DriftKind.CATEGORICAL, reference: sex, current: sex.filter((s, i) => s === 'MALE' || i % 3 === 0) }]);
    expect(shifted.verdict).toBe(DriftVerdict.DRIFT);
    expectInputInvalid(() => driftStatistics.z.compute(['a', 'b'], ['c'], DriftKind.CATEGORICAL), 'current');
  });
});

describe('few distinct values → categorical, counted in both windows, deaf to float noise', () => {
  const reference = Array.from({ length: 400 }, (_, i) => i % 3);

  it('1e-9 jitter in the current window changes neither the choice nor the verdict', () => {
    const random = mulberry32(5);
    const exact = Array.from({ length: 300 }, (_, i) => (i * 7) % 3);
    const jittered = exact.map((v) => v + (random() - 0.5) * 2e-9);
    const choice = chooseStatistic(DriftKind.NUMERIC, reference, {}, jittered);
    expect(choice.kind).toBe(DriftKind.CATEGORICAL);
    expect(choice.statistic.name).toBe('chisquare');
    const [plain] = detectDrift([{ name: 'x', kind: DriftKind.NUMERIC, reference, current: exact }]);
    const [noisy] = detectDrift([{ name: 'x', kind: DriftKind.NUMERIC, reference, current: jittered }]);
    expect(noisy.verdict).toBe(DriftVerdict.NO_DRIFT);
    expect(noisy.value).toBe(plain.value);
    expect(noisy.pValue).toBe(plain.pValue);
    // float32 storage of 0.1-steps reads as the same categories as float64
    const tenths = Array.from({ length: 300 }, (_, i) => (i % 4) / 10);
    const [f32] = detectDrift([{ name: 't', kind: DriftKind.NUMERIC, reference: tenths, current: Float32Array.from(tenths) }]);
    expect(f32.kind).toBe(DriftKind.CATEGORICAL);
    expect(f32.value).toBe(0);
  });

  it('counts the current window too (as Evidently): three values in the reference, many in the current → numeric', () => {
    const current = Array.from({ length: 300 }, (_, i) => (i % 50) / 10);
    expect(chooseStatistic(DriftKind.NUMERIC, reference).kind).toBe(DriftKind.CATEGORICAL);
    const both = chooseStatistic(DriftKind.NUMERIC, reference, {}, current);
    expect(both.kind).toBe(DriftKind.NUMERIC);
    expect(both.statistic.name).toBe('ks');
  });
});

describe('missing values in exact samples: dropped, counted and judged', () => {
  const random = mulberry32(11);
  const normal = (n: number) => Array.from({ length: n }, () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random()));
  const reference = normal(500);

  it('one NaN no longer throws for the whole call; it is counted and, alone, not drift', () => {
    const current = normal(300);
    current[17] = Number.NaN;
    const [x, y] = detectDrift([
      { name: 'x', kind: DriftKind.NUMERIC, reference, current },
      { name: 'y', kind: DriftKind.NUMERIC, reference, current: normal(300) },
    ]);
    expect(x.verdict).toBe(DriftVerdict.NO_DRIFT);
    expect(x.missingRate?.current).toEqual({ missing: 1, invalid: 0, total: 300 });
    expect(x.missingRate?.method).toBe('fisher');
    expect(x.missingRate?.verdict).toBe(DriftVerdict.NO_DRIFT);
    expect(y.verdict).not.toBe(DriftVerdict.INSUFFICIENT_DATA);
    expect(y.missingRate).toBeUndefined();
  });

  it('a window 50 % NaN (and ±Infinity) reads drift even though the values left look like the reference', () => {
    const current = normal(400).map((v, i) => (i % 2 === 0 ? (i % 4 === 0 ? Number.NaN : Number.POSITIVE_INFINITY) : v));
    const [x] = detectDrift([{ name: 'x', kind: DriftKind.NUMERIC, reference, current }]);
    expect(x.statistic).toBe('ks');
    expect(x.pValue).toBeGreaterThan(0.05);
    expect(x.missingRate?.current).toEqual({ missing: 100, invalid: 100, total: 400 });
    expect(x.missingRate?.currentRate).toBe(0.5);
    expect(x.missingRate?.verdict).toBe(DriftVerdict.DRIFT);
    expect(x.verdict).toBe(DriftVerdict.DRIFT);
    // all NaN: no values to compare, still drift
    const [empty] = detectDrift([{ name: 'x', kind: DriftKind.NUMERIC, reference, current: new Float64Array(100).fill(Number.NaN) }]);
    expect(empty.value).toBeUndefined();
    expect(empty.verdict).toBe(DriftVerdict.DRIFT);
  });

  it('the same share of NaN in both windows is no drift, and categorical NaN is dropped as well', () => {
    const ref = reference.map((v, i) => (i % 5 === 0 ? Number.NaN : v));
    const cur = normal(300).map((v, i) => (i % 5 === 1 ? Number.NaN : v));
    const [x] = detectDrift([{ name: 'x', kind: DriftKind.NUMERIC, reference: ref, current: cur }]);
    expect(x.missingRate?.referenceRate).toBe(0.2);
    expect(x.missingRate?.verdict).toBe(DriftVerdict.NO_DRIFT);
    expect(x.verdict).toBe(DriftVerdict.NO_DRIFT);
    const labels = Array.from({ length: 200 }, (_, i) => (i % 7 === 0 ? Number.NaN : i % 3));
    const [c] = detectDrift([{ name: 'c', kind: DriftKind.CATEGORICAL, reference: labels, current: labels }]);
    expect(c.value).toBe(0);
    expect(c.missingRate?.reference.missing).toBe(29);
  });
});
