import { describe, expect, it } from 'vitest';
import { ksTest } from '../../../src/monitor/drift/ksTest.ts';
import { wasserstein } from '../../../src/monitor/drift/wasserstein.ts';
import { expectInputInvalid, fixture, num, relativeError } from './scipyFixture.ts';

describe('ksTest vs scipy.stats.ks_2samp(method="asymp")', () => {
  for (const c of fixture.ks) {
    it(`${c.name}: statistic exact, p-value within tolerance`, () => {
      const result = ksTest(c.a, c.b);
      // same float expression as scipy, so the statistic must agree bit for bit
      expect(result.statistic).toBe(num(c.statistic));
      const pErr = Math.abs(result.pValue - num(c.pValue));
      if (Math.min(c.a.length, c.b.length) >= 100) {
        expect(pErr).toBeLessThan(0.01);
        // measured: the asymptotic p-values agree far closer than the contract
        expect(pErr).toBeLessThan(1e-4);
      }
    });
  }
  it('treats ties like scipy: the ECDF gap is read after all copies of a value', () => {
    // naive per-element walking would report 1/2 at the first tied 1
    expect(ksTest([1, 1, 2, 2], [1, 1, 2, 2]).statistic).toBe(0);
    expect(ksTest([1, 2, 2, 3], [2, 2, 2, 4]).statistic).toBe(0.25);
  });
  it('is zero with p = 1 for identical samples and symmetric', () => {
    const a = Array.from({ length: 200 }, (_, i) => Math.sin(i));
    expect(ksTest(a, a)).toEqual({ statistic: 0, pValue: 1 });
    const b = a.map((x) => x + 0.1);
    expect(ksTest(a, b)).toEqual(ksTest(b, a));
  });
  it('does not reorder the caller arrays and accepts typed arrays', () => {
    const a = new Float32Array([3, 1, 2]);
    const b = [9, 7, 8];
    expect(ksTest(a, b).statistic).toBe(1);
    expect(Array.from(a)).toEqual([3, 1, 2]);
    expect(b).toEqual([9, 7, 8]);
  });
  it('rejects empty and non-finite samples', () => {
    expectInputInvalid(() => ksTest([], [1]), 'a');
    expectInputInvalid(() => ksTest([1], [Number.NaN]), 'b');
  });
});

describe('wasserstein vs scipy.stats.wasserstein_distance', () => {
  for (const c of fixture.wasserstein) {
    it(`${c.name}: agrees to 1e-9 relative`, () => {
      const expected = num(c.distance);
      const value = wasserstein(c.a, c.b);
      if (expected === 0) expect(value).toBe(0);
      else expect(relativeError(value, expected)).toBeLessThan(1e-9);
    });
  }
  it('equals the shift for a translated sample, is symmetric and handles unequal sizes', () => {
    const a = [0, 1, 3, 7];
    expect(
      wasserstein(
        a,
        a.map((x) => x + 2.5),
      ),
    ).toBeCloseTo(2.5, 14);
    expect(wasserstein([0, 1], [5, 6, 7])).toBe(wasserstein([5, 6, 7], [0, 1]));
    // point masses: |0.5 − 0| over [0,1] plus |1 − 0| over [1,2] … against a mass at 2
    expect(wasserstein([0, 1], [2])).toBeCloseTo(1.5, 14);
  });
  it('rejects empty and non-finite samples', () => {
    expectInputInvalid(() => wasserstein([1], []), 'b');
    expectInputInvalid(() => wasserstein([Infinity], [1]), 'a');
  });
});
