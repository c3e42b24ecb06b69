import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkGoldens } from '../../../src/features/checkGoldens.ts';
import type { FeatureSpec, StandardizeStep } from '../../../src/features/FeatureSpec.ts';
import type { RegistryManifest } from '../../../src/registry/Manifest.ts';

const manifest = JSON.parse(readFileSync(new URL('../../../public/registry/manifest.json', import.meta.url), 'utf8')) as RegistryManifest;
const versions = manifest.models.weather.versions;

/** The spec with one standardize mean moved by `delta` (the kind of slip a hand-edited spec makes). */
function withMean(spec: FeatureSpec, feature: string, delta: number): FeatureSpec {
  return {
    ...spec,
    features: spec.features.map((f) =>
      f.name !== feature ? f : { ...f, steps: f.steps.map((s) => (s.op === 'standardize' ? { ...s, mean: (s as StandardizeStep).mean! + delta } : s)) },
    ),
  };
}

describe('checkGoldens (Node, as the CLI runs it)', () => {
  it.each(Object.keys(versions))('the bundled weather v%s reproduces its golden features exactly', (version) => {
    const { features, goldens = [] } = versions[version];
    expect(goldens.length).toBeGreaterThan(0);
    const check = checkGoldens(features, goldens);
    expect(check).toMatchObject({ ok: true, maxAbsDiff: 0 });
  });

  it('catches a wrong standardize mean, naming the column', () => {
    const { features, goldens = [] } = versions['1'];
    const check = checkGoldens(withMean(features, 'temp_max', 0.5), goldens);
    expect(check.ok).toBe(false);
    expect(check.column).toBe('temp_max');
    expect(check.maxAbsDiff).toBeGreaterThan(0.01);
  });

  it('catches a different width, and a tolerance too strict for float32 rounding', () => {
    const { features, goldens = [] } = versions['1'];
    expect(
      checkGoldens(
        features,
        goldens.map((g) => ({ ...g, features: g.features.slice(1) })),
      ).maxAbsDiff,
    ).toBe(Infinity);
    const nudged = goldens.map((g) => ({ ...g, features: g.features.map((v) => v + 1e-7) }));
    expect(checkGoldens(features, nudged).ok).toBe(true);
    expect(checkGoldens(features, nudged, 1e-9).ok).toBe(false);
  });
});
