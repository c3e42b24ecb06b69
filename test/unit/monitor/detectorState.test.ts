import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../src/demo/random.ts';
import { ADWIN } from '../../../src/monitor/detectors/ADWIN.ts';
import { ConceptDrift } from '../../../src/monitor/detectors/ConceptDrift.ts';
import { DDM } from '../../../src/monitor/detectors/DDM.ts';
import type { DriftDetector } from '../../../src/monitor/detectors/DriftDetector.ts';
import { PageHinkley } from '../../../src/monitor/detectors/PageHinkley.ts';

/** Bernoulli errors: rate `before` until `change`, then `after`, with a NaN at 5 (skipped, counted). */
function errors(n: number, change: number, before: number, after: number, seed: number): number[] {
  const random = mulberry32(seed);
  const values: number[] = Array.from({ length: n }, (_, i) => (random() < (i < change ? before : after) ? 1 : 0));
  values[5] = Number.NaN;
  return values;
}

/** Absolute Gaussian errors of spread `sigma`, `factor` times larger from `change`. */
function absErrors(n: number, sigma: number, seed: number, change: number, factor: number): number[] {
  const random = mulberry32(seed);
  return Array.from({ length: n }, (_, i) => {
    const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    return Math.abs(z) * sigma * (i < change ? 1 : factor);
  });
}

/** Indices (from `offset`) at which the detector fired on `values`. */
function fed(d: DriftDetector, values: readonly number[], offset = 0): number[] {
  const fired: number[] = [];
  values.forEach((x, i) => {
    if (d.update(x).driftDetected) fired.push(offset + i);
  });
  return fired;
}

type Case = readonly [name: string, make: () => DriftDetector, stream: number[], split: number];

const cases: Case[] = [
  ['ddm', () => new DDM(), errors(2000, 1000, 0.1, 0.4, 3), 990],
  ['adwin', () => new ADWIN(), errors(3000, 2000, 0.1, 0.4, 3), 1990],
  ['pageHinkley', () => new PageHinkley(), absErrors(2000, 1, 3, 1000, 3), 990],
  ['concept (classifier)', () => new ConceptDrift({ kind: 'classification' }), errors(5000, 2500, 0.1, 0.35, 7), 2400],
  // split before the 100 errors that estimate the scale are in: the held ones move too
  ['concept (regressor, scale estimated)', () => new ConceptDrift({ kind: 'regression' }), absErrors(4000, 10, 8, 2000, 2), 60],
  ['concept (regressor, scale estimated, known)', () => new ConceptDrift({ kind: 'regression' }), absErrors(4000, 10, 8, 2000, 2), 1900],
  ['concept (regressor, scale given)', () => new ConceptDrift({ kind: 'regression', errorScale: 6 }), absErrors(4000, 10, 9, 2000, 2), 1900],
];

describe("a change detector's state carries on in another one (a backend handoff)", () => {
  for (const [name, make, stream, split] of cases) {
    it(`${name}: restored mid-stream, it fires where one detector fed the whole stream fires`, () => {
      const whole = make();
      const expected = fed(whole, stream);
      expect(expected.length, 'the stream has a change to find').toBeGreaterThan(0);
      const first = make();
      const before = fed(first, stream.slice(0, split));
      const next = make();
      // across a thread boundary: structured clone, as postMessage does
      expect(next.restoreState?.(structuredClone(first.exportState?.()))).toBe(true);
      expect([...before, ...fed(next, stream.slice(split), split)]).toEqual(expected);
      expect(next.exportState?.()).toEqual(whole.exportState?.());
      expect(next.skipped).toBe(whole.skipped);
      // and one that starts afresh at the split does not (what a handoff did before)
      const fresh = make();
      expect(fresh.exportState?.()).not.toEqual(first.exportState?.());
    });
  }

  it('without a restore, a concept change straddling the handoff is found later or not at all', () => {
    const [, make, stream, split] = cases[0];
    const whole = fed(make(), stream);
    const fresh = fed(make(), stream.slice(split), split);
    expect(fresh[0] ?? Number.POSITIVE_INFINITY).not.toBe(whole.find((i) => i >= split));
  });
});

describe('a handed-over state is checked whole; one that does not check out changes nothing', () => {
  type Mutation = (s: Record<string, unknown>) => unknown;
  const common: Mutation[] = [
    () => null,
    () => undefined,
    () => 'state',
    () => [],
    () => ({}),
    (s) => ({ ...s, skipped: -1 }),
    (s) => ({ ...s, skipped: 1.5 }),
  ];
  const bad: Record<string, readonly [() => DriftDetector, number[], readonly Mutation[]]> = {
    ddm: [
      () => new DDM(),
      errors(200, 1000, 0.2, 0.2, 1),
      [
        (s) => ({ ...s, n: -1 }),
        (s) => ({ ...s, n: '5' }),
        (s) => ({ ...s, p: 1.5 }),
        (s) => ({ ...s, p: Number.NaN }),
        (s) => ({ ...s, pMin: -0.1 }),
        (s) => ({ ...s, sMin: Number.POSITIVE_INFINITY }),
        (s) => ({ ...s, pMin: Number.POSITIVE_INFINITY }),
        (s) => ({ ...s, driftDetected: 1 }),
      ],
    ],
    adwin: [
      () => new ADWIN(),
      errors(300, 1000, 0.2, 0.2, 1),
      [
        (s) => ({ ...s, seen: -3 }),
        (s) => ({ ...s, rows: 'rows' }),
        (s) => ({ ...s, rows: Array.from({ length: 53 }, () => []) }),
        (s) => ({ ...s, rows: [[[2, 1, 0]]] }), // a row-0 bucket holds one value
        (s) => ({ ...s, rows: [Array.from({ length: 6 }, () => [1, 0, 0])] }), // more than maxBuckets
        (s) => ({ ...s, rows: [[[1, Number.NaN, 0]]] }),
        (s) => ({ ...s, rows: [[[1, 1, -1]]] }),
        (s) => ({ ...s, rows: [[[1, 1]]] }),
      ],
    ],
    pageHinkley: [
      () => new PageHinkley(),
      absErrors(200, 1, 1, 1000, 1),
      [
        (s) => ({ ...s, mean: Number.POSITIVE_INFINITY }),
        (s) => ({ ...s, m2: -1 }),
        (s) => ({ ...s, minUp: 1 }),
        (s) => ({ ...s, minUp: (s.sumUp as number) + 1 }),
        (s) => ({ ...s, maxDown: -1 }),
        (s) => ({ ...s, sumDown: (s.maxDown as number) + 1 }),
      ],
    ],
    concept: [
      () => new ConceptDrift({ kind: 'classification' }),
      errors(1500, 1000, 0.1, 0.5, 2),
      [
        (s) => ({ ...s, kind: 'regression' }),
        (s) => ({ ...s, t: -1 }),
        (s) => ({ ...s, votes: [['ddm', (s.t as number) + 1]] }),
        (s) => ({ ...s, votes: [['nobody', 1]] }),
        (s) => ({ ...s, votes: Array.from({ length: 4 }, () => ['ddm', 1]) }),
        (s) => ({ ...s, held: [0.5] }), // a classifier holds nothing back
        (s) => ({ ...s, detectors: [...(s.detectors as unknown[])].reverse() }),
        (s) => ({ ...s, detectors: (s.detectors as unknown[]).slice(1) }),
        // the first two detectors' parts are fine, the last is not: the two restored go back
        (s) => ({ ...s, detectors: (s.detectors as { name: string; state: object }[]).map((d, i) => (i === 2 ? { ...d, state: { ...d.state, n: -1 } } : d)) }),
      ],
    ],
  };
  for (const [name, [make, stream, mutations]] of Object.entries(bad)) {
    it(name, () => {
      const source = make();
      fed(source, stream);
      const state = source.exportState?.() as Record<string, unknown>;
      expect(make().restoreState?.(structuredClone(state)), 'the unchanged state restores').toBe(true);
      const target = make();
      fed(target, stream.slice(0, 40));
      const kept = target.exportState?.();
      for (const [i, mutate] of [...common, ...mutations].entries()) {
        expect(target.restoreState?.(mutate(structuredClone(state))), `mutation ${i}`).toBe(false);
        expect(target.exportState?.(), `mutation ${i}`).toEqual(kept);
      }
    });
  }

  it('a regressor estimating its scale refuses a bad scale or too many held errors, and keeps its given scale', () => {
    const estimating = new ConceptDrift({ kind: 'regression' });
    fed(estimating, absErrors(300, 10, 4, 1000, 1));
    const state = estimating.exportState() as unknown as Record<string, unknown>;
    expect(state.scale).toBeGreaterThan(0);
    for (const scale of [0, -1, Number.NaN, '10']) expect(new ConceptDrift({ kind: 'regression' }).restoreState({ ...state, scale })).toBe(false);
    const holding = new ConceptDrift({ kind: 'regression' });
    fed(holding, absErrors(50, 10, 4, 1000, 1));
    const held = holding.exportState() as unknown as Record<string, unknown>;
    expect((held.held as number[]).length).toBe(50);
    expect(new ConceptDrift({ kind: 'regression' }).restoreState({ ...held, held: new Array(10_000).fill(1) })).toBe(false);
    expect(new ConceptDrift({ kind: 'regression' }).restoreState({ ...held, held: [1, Number.NaN] })).toBe(false);
    // Held errors once the scale is known would never be read: refused.
    expect(new ConceptDrift({ kind: 'regression' }).restoreState({ ...state, held: [1] })).toBe(false);
    const given = new ConceptDrift({ kind: 'regression', errorScale: 4 });
    expect(given.restoreState(state)).toBe(true);
    expect(given.errorScale).toBe(4);
  });

  it('a detector an app supplies without exportState makes ConceptDrift export nothing', () => {
    const plain: DriftDetector = { name: 'plain', driftDetected: false, skipped: 0, update: () => plain, reset() {} };
    expect(new ConceptDrift({ kind: 'classification', detectors: [new DDM(), plain] }).exportState()).toBeUndefined();
  });
});
