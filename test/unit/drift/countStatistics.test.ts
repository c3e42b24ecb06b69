import { describe, expect, it } from 'vitest';
import { jensenShannon } from '../../../src/monitor/drift/jensenShannon.ts';
import { klDivergence } from '../../../src/monitor/drift/klDivergence.ts';
import { psi } from '../../../src/monitor/drift/psi.ts';
import { expectInputInvalid, fixture, num, relativeError } from './scipyFixture.ts';

describe('psi', () => {
  it(`matches the closed form on ${fixture.psi.length} fixture cases to 1e-12 relative`, () => {
    for (const c of fixture.psi) {
      const value = psi(c.expected, c.actual);
      if (c.psi === 0) expect(value).toBe(0);
      else expect(relativeError(value, c.psi), JSON.stringify(c)).toBeLessThan(1e-12);
    }
  });
  it('replaces zero proportions by 1e-4 without renormalising', () => {
    // e = [0.5, 0.5, 0], a = [0.5, 0, 0.5]
    const expected = (0.5 - 1e-4) * Math.log(0.5 / 1e-4) * 2;
    expect(relativeError(psi([1, 1, 0], [1, 0, 1]), expected)).toBeLessThan(1e-14);
  });
  it('is invariant to scaling and accepts typed arrays', () => {
    const a = psi([10, 20, 30], [15, 15, 30]);
    expect(relativeError(psi(new Float64Array([1, 2, 3]), new Uint32Array([150, 150, 300])), a)).toBeLessThan(1e-14);
  });
  it('is zero for identical distributions and positive otherwise', () => {
    expect(psi([3, 4, 5], [6, 8, 10])).toBe(0);
    expect(psi([3, 4, 5], [5, 4, 3])).toBeGreaterThan(0);
  });
  it('rejects malformed input', () => {
    expectInputInvalid(() => psi([1, 2], [1, 2, 3]), 'actualCounts');
    expectInputInvalid(() => psi([], []), 'expectedCounts');
    expectInputInvalid(() => psi([1, -1], [1, 1]), 'expectedCounts');
    expectInputInvalid(() => psi([0, 0], [1, 1]), 'expectedCounts');
    expectInputInvalid(() => psi([1, 1], [1, Number.NaN]), 'actualCounts');
  });
});

describe('jensenShannon vs scipy.spatial.distance.jensenshannon', () => {
  it(`agrees to 1e-12 relative on ${fixture.jensenShannonNatural.length} cases in scipy's default base e`, () => {
    for (const c of fixture.jensenShannonNatural) {
      const expected = num(c.distance);
      const value = jensenShannon(c.p, c.q);
      if (expected === 0) expect(value).toBeLessThan(1e-7);
      else expect(relativeError(value, expected), JSON.stringify(c)).toBeLessThan(1e-12);
    }
  });
  it(`agrees to 1e-12 relative on ${fixture.jensenShannon.length} cases with base=2`, () => {
    for (const c of fixture.jensenShannon) {
      const expected = num(c.distance);
      const value = jensenShannon(c.p, c.q, 2);
      if (expected === 0) expect(value).toBeLessThan(1e-7);
      else expect(relativeError(value, expected), JSON.stringify(c)).toBeLessThan(1e-12);
    }
  });
  it('is 1 for disjoint supports, 0 for identical, symmetric and normalises', () => {
    expect(jensenShannon([1, 0], [0, 1], 2)).toBeCloseTo(1, 15);
    // natural log: bounded by √ln 2, and a base-2 value is the natural one over √ln 2
    expect(jensenShannon([1, 0], [0, 1])).toBeCloseTo(Math.sqrt(Math.LN2), 15);
    expect(jensenShannon([1, 2, 3], [3, 1, 1], 2)).toBeCloseTo(jensenShannon([1, 2, 3], [3, 1, 1]) / Math.sqrt(Math.LN2), 15);
    expect(jensenShannon([2, 3, 5], [20, 30, 50])).toBe(0);
    expect(jensenShannon([1, 2, 3], [3, 1, 1])).toBe(jensenShannon([3, 1, 1], [1, 2, 3]));
  });
  it('rejects malformed input', () => {
    expectInputInvalid(() => jensenShannon([1, 2, 3], [1, 2]), 'q');
    expectInputInvalid(() => jensenShannon([1, 2], [-1, 2]), 'q');
    expectInputInvalid(() => jensenShannon([1, 2], [1, 2], 1), 'base');
    expectInputInvalid(() => jensenShannon([1, 2], [1, 2], -2), 'base');
  });
});

describe('klDivergence vs scipy.stats.entropy(p, q)', () => {
  it(`agrees to 1e-12 relative on ${fixture.klDivergence.length} cases`, () => {
    for (const c of fixture.klDivergence) {
      const expected = num(c.divergence);
      const value = klDivergence(c.p, c.q);
      if (!Number.isFinite(expected)) expect(value).toBe(expected);
      else if (expected === 0) expect(value).toBe(0);
      else expect(relativeError(value, expected), JSON.stringify(c)).toBeLessThan(1e-12);
    }
  });
  it('is infinite when q misses mass that p has, and ignores bins where p is zero', () => {
    expect(klDivergence([1, 1], [1, 0])).toBe(Infinity);
    expect(Number.isFinite(klDivergence([1, 0], [1, 1]))).toBe(true);
    expect(relativeError(klDivergence([1, 0], [1, 1]), Math.log(2))).toBeLessThan(1e-15);
  });
  it('rejects malformed input', () => {
    expectInputInvalid(() => klDivergence([1, 2], [1, 2, 3]), 'q');
    expectInputInvalid(() => klDivergence([Infinity, 1], [1, 2]), 'p');
  });
});
