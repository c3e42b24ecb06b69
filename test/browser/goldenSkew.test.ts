import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { EdgewatchError } from '../../src/errors.ts';
import type { FeatureSpec, StandardizeStep } from '../../src/features/FeatureSpec.ts';
import { loadArtifacts } from '../../src/models/loadArtifacts.ts';
import type { ModelVersion, RegistryManifest } from '../../src/registry/Manifest.ts';
import type { LoadRequest } from '../../workers/protocol.ts';
import { ModelSession } from '../../workers/session.ts';
import { REGISTRY } from './weatherData.ts';

const manifestUrl = new URL(REGISTRY, location.href).href;
let v1: ModelVersion;
let files: Map<string, Uint8Array>;

beforeAll(async () => {
  await tf.setBackend('cpu');
  const manifest = (await (await fetch(manifestUrl)).json()) as RegistryManifest;
  v1 = manifest.models.weather.versions['1'];
  files = await loadArtifacts(manifestUrl, v1.artifacts);
});

const request = (entry: ModelVersion): LoadRequest => ({ name: 'weather', version: '1', manifestUrl, entry });

/** v1's spec with the temp_max standardize mean moved by one degree: a spec that no longer matches training. */
function skewed(spec: FeatureSpec): FeatureSpec {
  return {
    ...spec,
    features: spec.features.map((f) =>
      f.name !== 'temp_max' ? f : { ...f, steps: f.steps.map((s) => (s.op === 'standardize' ? { ...s, mean: ((s as StandardizeStep).mean ?? 0) + 1 } : s)) },
    ),
  };
}

describe('golden-vector skew check on load (real Chromium, cpu backend)', () => {
  it('loads the bundled v1 as published', async () => {
    const session = await ModelSession.create(request(v1), files, 'cpu');
    expect(session.features.width).toBe(6);
    session.dispose();
  });

  it('refuses v1 with a wrong standardize mean: MODEL_LOAD_FAILED, reason golden-features', async () => {
    const numTensors = tf.memory().numTensors;
    let caught: unknown;
    try {
      await ModelSession.create(request({ ...v1, features: skewed(v1.features) }), files, 'cpu');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(EdgewatchError);
    const error = caught as EdgewatchError;
    expect(error.code).toBe('MODEL_LOAD_FAILED');
    expect(error.details.reason).toBe('golden-features');
    expect(error.details.column).toBe('temp_max');
    expect(error.details.maxAbsDiff).toBeGreaterThan(1e-6);
    // The refused model was disposed, not leaked.
    expect(tf.memory().numTensors).toBe(numTensors);
  });

  it('refuses v1 whose golden scores were tampered with: reason golden-scores', async () => {
    const goldens = (v1.goldens ?? []).map((g, i) => (i === 0 ? { ...g, scores: g.scores.map((s) => 1 - s) } : g));
    await expect(ModelSession.create(request({ ...v1, goldens }), files, 'cpu')).rejects.toMatchObject({
      code: 'MODEL_LOAD_FAILED',
      details: { reason: 'golden-scores' },
    });
  });
});
