import { describe, expect, it } from 'vitest';
import { benjaminiHochberg } from '../../../src/monitor/drift/benjaminiHochberg.ts';
import { expectInputInvalid } from './scipyFixture.ts';

describe('benjaminiHochberg', () => {
  // Hand computation, m = 5: sorted p = 0.005, 0.01, 0.03, 0.04, 0.2
  // p·m/rank = 0.025, 0.025, 0.05, 0.05, 0.2; running minimum from the top leaves them unchanged.
  const pValues = [0.01, 0.04, 0.03, 0.005, 0.2];

  it('adjusts p-values as computed by hand, in input order', () => {
    const { adjusted } = benjaminiHochberg(pValues);
    const expected = [0.025, 0.05, 0.05, 0.025, 0.2];
    expected.forEach((q, i) => {
      expect(adjusted[i]).toBeCloseTo(q, 14);
    });
  });

  it('rejects the four smallest at FDR 0.05 (p₍₄₎ = 0.04 ≤ 4·0.05/5)', () => {
    expect(benjaminiHochberg(pValues, 0.05).rejected).toEqual([true, true, true, true, false]);
  });

  it('rejects only the two smallest at FDR 0.04 (p₍₃₎ = 0.03 > 3·0.04/5, p₍₂₎ = 0.01 ≤ 2·0.04/5)', () => {
    expect(benjaminiHochberg(pValues, 0.04).rejected).toEqual([true, false, false, true, false]);
  });

  it('takes the running minimum when a larger p-value has a smaller ratio', () => {
    // sorted 0.02, 0.021: 0.02·2/1 = 0.04 but 0.021·2/2 = 0.021, so both become 0.021
    const { adjusted } = benjaminiHochberg([0.021, 0.02]);
    expect(adjusted[0]).toBeCloseTo(0.021, 15);
    expect(adjusted[1]).toBeCloseTo(0.021, 15);
  });

  it('caps at 1, leaves a single p-value alone and accepts an empty list', () => {
    expect(Array.from(benjaminiHochberg([0.9, 0.95]).adjusted)).toEqual([0.95, 0.95]);
    expect(Array.from(benjaminiHochberg([0.3]).adjusted)).toEqual([0.3]);
    expect(benjaminiHochberg([]).rejected).toEqual([]);
  });

  it('rejects values that are not probabilities', () => {
    expectInputInvalid(() => benjaminiHochberg([0.1, 1.5]), 'pValues');
    expectInputInvalid(() => benjaminiHochberg([0.1, Number.NaN]), 'pValues');
    expectInputInvalid(() => benjaminiHochberg([0.1], 0), 'alpha');
  });
});
