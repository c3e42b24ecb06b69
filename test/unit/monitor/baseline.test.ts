import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { computeBaseline } from '../../../src/cli/baseline.ts';
import { EdgewatchError } from '../../../src/errors.ts';
import { compile } from '../../../src/features/compile.ts';
import { qualityMetrics } from '../../../src/monitor/quality/qualityMetrics.ts';
import { quantileSorted } from '../../../src/monitor/sketches/quantileSorted.ts';
import type { RegistryManifest } from '../../../src/registry/Manifest.ts';

const manifest = JSON.parse(readFileSync(new URL('../../../public/registry/manifest.json', import.meta.url), 'utf8')) as RegistryManifest;

describe('the baseline shipped in the bundled registry', () => {
  for (const [version, entry] of Object.entries(manifest.models.weather.versions)) {
    it(`v${version}: one sketch per model feature column and the outputs, over the training rows`, () => {
      const baseline = entry.baseline;
      expect(baseline?.schema).toBe('edgewatch.baseline/v1');
      expect(baseline?.rows).toBe(entry.training?.rows);
      expect(Object.keys(baseline?.features ?? {})).toEqual(compile(entry.features).columns);
      for (const sketch of Object.values(baseline?.features ?? {})) {
        expect(sketch.count).toBe(baseline?.rows);
        expect(sketch.histogram.counts.reduce((a, b) => a + b, 0)).toBe(baseline?.rows);
        // training rows never fall outside the training range
        expect(sketch.histogram.counts[0]).toBe(0);
        expect(sketch.histogram.counts.at(-1)).toBe(0);
      }
      const outputs = baseline?.outputs;
      if (outputs?.kind !== 'classification') throw new Error('classifier expected');
      expect(outputs.classes.counts.reduce((a, b) => a + b, 0)).toBe(baseline?.rows);
      // the baseline's quality on its rows is the training accuracy the registry reports (v1 as build-registry
      // trained it: metrics.trainAccuracy; v2 as `retrain` made it: metrics.train.accuracy)
      const metrics = entry.metrics as { trainAccuracy?: number; train?: { accuracy: number } } | undefined;
      const trainAccuracy = metrics?.trainAccuracy ?? metrics?.train?.accuracy;
      expect(trainAccuracy).toBeTypeOf('number');
      expect(qualityMetrics(baseline?.quality ?? ({} as never)).accuracy).toBeCloseTo(trainAccuracy as number, 12);
    });
  }
});

describe('computeBaseline', () => {
  it('puts histogram edges at the training deciles, min and max included', () => {
    const rows = 101;
    const features = Float32Array.from({ length: rows }, (_, i) => i);
    const scores = Float32Array.from({ length: rows }, (_, i) => i / 100);
    const b = computeBaseline({ columns: ['x'], features, rows, outputs: { kind: 'regression' }, scores, labels: Array.from(scores, (s) => s + 1) });
    const sorted = Float64Array.from(features).sort();
    expect(b.features.x.histogram.edges).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1].map((q) => quantileSorted(sorted, q)));
    expect(b.outputs.kind).toBe('regression');
    expect(qualityMetrics(b.quality ?? ({} as never))).toMatchObject({ labelled: 101, mae: 1, rmse: 1 });
  });

  it('rejects mismatched shapes with INPUT_INVALID', () => {
    expect(() => computeBaseline({ columns: ['a', 'b'], features: [1, 2, 3], rows: 2, outputs: { kind: 'regression' }, scores: [1, 2] })).toThrow(
      EdgewatchError,
    );
  });
});
