import { describe, expect, it } from 'vitest';
import { chiSquareSf, kolmogorovSf, kolmogorovSmirnovSf, lnGamma, regularizedUpperGamma } from '../../../src/monitor/drift/special.ts';
import { fixture, num, relativeError } from './scipyFixture.ts';

describe('lnGamma', () => {
  it('matches closed forms', () => {
    expect(lnGamma(1)).toBeCloseTo(0, 14);
    expect(lnGamma(2)).toBeCloseTo(0, 14);
    expect(relativeError(lnGamma(5), Math.log(24))).toBeLessThan(1e-14);
    expect(relativeError(lnGamma(0.5), 0.5 * Math.log(Math.PI))).toBeLessThan(1e-14);
    // ln(170!) from the product, well inside double range
    let ln170 = 0;
    for (let i = 2; i <= 170; i++) ln170 += Math.log(i);
    expect(relativeError(lnGamma(171), ln170)).toBeLessThan(1e-13);
  });
  it('is NaN outside its domain', () => {
    expect(lnGamma(0)).toBeNaN();
    expect(lnGamma(-1)).toBeNaN();
  });
});

describe('regularizedUpperGamma vs scipy.special.gammaincc', () => {
  it(`agrees to 1e-10 relative over ${fixture.special.gammaincc.length} grid points`, () => {
    let worst = 0;
    for (const { a, x, q } of fixture.special.gammaincc) {
      const expected = num(q);
      // below ~1e-300 scipy itself is in the subnormal range; absolute agreement is what is left
      if (expected < 1e-290) {
        expect(regularizedUpperGamma(a, x)).toBeLessThan(1e-280);
        continue;
      }
      const err = relativeError(regularizedUpperGamma(a, x), expected);
      worst = Math.max(worst, err);
      expect(err, `a=${a} x=${x}`).toBeLessThan(1e-10);
    }
    expect(worst).toBeLessThan(1e-10);
  });
  it('handles the ends of its domain', () => {
    expect(regularizedUpperGamma(3, 0)).toBe(1);
    expect(regularizedUpperGamma(3, Infinity)).toBe(0);
    expect(regularizedUpperGamma(0, 1)).toBeNaN();
    expect(regularizedUpperGamma(1, -1)).toBeNaN();
    // Q(1, x) = e^{-x}
    expect(relativeError(regularizedUpperGamma(1, 7.5), Math.exp(-7.5))).toBeLessThan(1e-13);
  });
  it('gives the chi-square survival function', () => {
    // chi-square with 2 dof is exponential with mean 2
    expect(relativeError(chiSquareSf(5, 2), Math.exp(-2.5))).toBeLessThan(1e-13);
    expect(chiSquareSf(0, 3)).toBe(1);
    expect(chiSquareSf(Infinity, 3)).toBe(0);
  });
});

describe('kolmogorovSf vs scipy.stats.kstwobign.sf', () => {
  it('agrees to 1e-12 absolute', () => {
    for (const { x, sf } of fixture.special.kolmogorovSf) {
      expect(Math.abs(kolmogorovSf(x) - num(sf)), `x=${x}`).toBeLessThan(1e-12);
    }
  });
  it('is 1 at and below zero', () => {
    expect(kolmogorovSf(0)).toBe(1);
    expect(kolmogorovSf(-1)).toBe(1);
  });
});

describe('kolmogorovSmirnovSf vs scipy.stats.kstwo.sf', () => {
  it('agrees to 1e-9 where both are exact (n ≤ 140) and to 1e-4 where scipy approximates', () => {
    let worst = 0;
    for (const { n, d, sf } of fixture.special.kstwoSf) {
      const err = Math.abs(kolmogorovSmirnovSf(d, n) - num(sf));
      worst = Math.max(worst, err);
      expect(err, `n=${n} d=${d}`).toBeLessThan(n <= 140 ? 1e-9 : 1e-4);
    }
    expect(worst).toBeLessThan(1e-4);
  });
  it('covers the trivial ranges', () => {
    expect(kolmogorovSmirnovSf(0, 10)).toBe(1);
    expect(kolmogorovSmirnovSf(1, 10)).toBe(0);
    expect(kolmogorovSmirnovSf(0.04, 10)).toBe(1);
    // above 1 − 1/n only the two extreme staircases exceed d
    expect(relativeError(kolmogorovSmirnovSf(0.95, 10), 2 * 0.05 ** 10)).toBeLessThan(1e-12);
  });
  it('is monotone decreasing in d', () => {
    let previous = 1;
    for (let d = 0.01; d < 1; d += 0.01) {
      const value = kolmogorovSmirnovSf(d, 60);
      expect(value).toBeLessThanOrEqual(previous + 1e-12);
      previous = value;
    }
  });
});
