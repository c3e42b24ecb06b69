import { describe, expect, it } from 'vitest';
import { ksFromSketches } from '../../../src/monitor/drift/ksFromSketches.ts';
import { ksTest } from '../../../src/monitor/drift/ksTest.ts';
import { wassersteinFromSketches } from '../../../src/monitor/drift/wassersteinFromSketches.ts';
import { EdgewatchError } from '../../../src/errors.ts';
import { DDSketch } from '../../../src/monitor/sketches/DDSketch.ts';
import { fixture, num, seattlePair, seattleSlice } from '../drift/scipyFixture.ts';

function sketchOf(values: ArrayLike<number>, alpha = 0.01): DDSketch {
  const s = new DDSketch(alpha);
  for (let i = 0; i < values.length; i++) s.add(values[i]);
  return s;
}

describe('ksFromSketches / wassersteinFromSketches vs scipy', () => {
  for (const c of fixture.ks.filter((k) => Math.min(k.a.length, k.b.length) >= 100)) {
    it(`${c.name}: the exact D lies in [statistic, statistic + errorBound]`, () => {
      const r = ksFromSketches(sketchOf(c.a), sketchOf(c.b));
      const exact = num(c.statistic);
      expect(r.statistic).toBeLessThanOrEqual(exact + 1e-12);
      expect(exact).toBeLessThanOrEqual(r.statistic + r.errorBound + 1e-12);
      // measured on these cases: the bound is loose, the statistic itself is close
      expect(Math.abs(r.statistic - exact)).toBeLessThan(0.05);
    });
  }
  for (const c of fixture.wasserstein) {
    it(`${c.name}: |distance − scipy| ≤ errorBound`, () => {
      const r = wassersteinFromSketches(sketchOf(c.a), sketchOf(c.b));
      expect(Math.abs(r.distance - num(c.distance))).toBeLessThanOrEqual(r.errorBound);
    });
  }
  it('rejects empty sketches and mismatched grids', () => {
    expect(() => ksFromSketches(new DDSketch(), sketchOf([1]))).toThrow(EdgewatchError);
    expect(() => wassersteinFromSketches(sketchOf([1], 0.01), sketchOf([1], 0.02))).toThrow(EdgewatchError);
  });
});

describe('sketch KS on real seattle-weather temp_max', () => {
  it('alarms on Jan–Jun vs Jul–Dec and not on 2012 vs 2013, like the exact test', () => {
    for (const [reference, current, drift] of [
      ['jan-jun', 'jul-dec', true],
      ['y2012', 'y2013', false],
    ] as const) {
      const ref = seattleSlice('tempMax', reference);
      const cur = seattleSlice('tempMax', current);
      const r = ksFromSketches(sketchOf(ref), sketchOf(cur));
      const pair = seattlePair(reference, current);
      expect(r.pValue < 0.05).toBe(drift);
      expect(r.statistic).toBeLessThanOrEqual(pair.tempMax.ksStatistic + 1e-12);
      expect(pair.tempMax.ksStatistic).toBeLessThanOrEqual(r.statistic + r.errorBound);
      expect(ksTest(ref, cur).pValue < 0.05).toBe(drift);
      const w = wassersteinFromSketches(sketchOf(ref), sketchOf(cur));
      expect(Math.abs(w.distance - pair.tempMax.wasserstein)).toBeLessThanOrEqual(w.errorBound);
    }
  });
});
