import { describe, expect, it } from 'vitest';
import { chiSquareTest } from '../../../src/monitor/drift/chiSquareTest.ts';
import { expectInputInvalid, fixture, num, relativeError } from './scipyFixture.ts';

describe('chiSquareTest vs scipy.stats.chisquare (expected rescaled)', () => {
  it(`agrees to 1e-9 relative on statistic and p-value over ${fixture.chiSquare.length} cases`, () => {
    for (const c of fixture.chiSquare) {
      const result = chiSquareTest(c.observed, c.expected);
      expect(result.dof).toBe(c.dof);
      expect(relativeError(result.statistic, num(c.statistic)), JSON.stringify(c)).toBeLessThan(1e-9);
      expect(relativeError(result.pValue, num(c.pValue)), JSON.stringify(c)).toBeLessThan(1e-9);
    }
  });
  it('keeps relative accuracy deep in the tail', () => {
    const tail = fixture.chiSquare.find((c) => num(c.pValue) < 1e-100);
    if (tail === undefined) throw new Error('fixture lacks a far-tail case');
    const result = chiSquareTest(tail.observed, tail.expected);
    // 1 − P would have no digits left here; the continued fraction keeps them
    expect(result.pValue).toBeGreaterThan(0);
    expect(relativeError(result.pValue, num(tail.pValue))).toBeLessThan(1e-9);
  });
  it('rescales expected to the observed total', () => {
    const a = chiSquareTest([10, 20, 30], [1, 1, 1]);
    const b = chiSquareTest([10, 20, 30], [20, 20, 20]);
    expect(relativeError(a.statistic, 10)).toBeLessThan(1e-14);
    expect(relativeError(b.pValue, a.pValue)).toBeLessThan(1e-14);
  });
  it('reports a category unseen in expected as certain drift', () => {
    expect(chiSquareTest([5, 5, 1], [5, 5, 0])).toEqual({ statistic: Infinity, pValue: 0, dof: 2 });
    const both = chiSquareTest([5, 5, 0], [5, 5, 0]);
    expect(both.statistic).toBe(0);
    expect(both.pValue).toBe(1);
  });
  it('rejects malformed input', () => {
    expectInputInvalid(() => chiSquareTest([1, 2], [1, 2, 3]), 'expected');
    expectInputInvalid(() => chiSquareTest([5], [5]), 'observed');
    expectInputInvalid(() => chiSquareTest([1, 2], [0, 0]), 'expected');
  });
});
