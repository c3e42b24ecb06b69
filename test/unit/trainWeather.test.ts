import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { trainWeather } from '../../src/demo/trainWeather.ts';
import { loadSeattleWeather } from '../../src/demo/weatherData.node.ts';
import type { RegistryManifest } from '../../src/registry/Manifest.ts';

const all = loadSeattleWeather();
const manifest: RegistryManifest = JSON.parse(readFileSync(new URL('../../public/registry/manifest.json', import.meta.url), 'utf8'));

describe('demo model training', () => {
  it('reads the real data set from the pinned package', () => {
    expect(all).toHaveLength(1461);
    expect(all[0]).toEqual({ date: '2012-01-01', precipitation: 0, temp_max: 12.8, temp_min: 5, wind: 4.7, weather: 'drizzle' });
  });

  it('is deterministic for a fixed seed, and reproduces the committed registry weights', async () => {
    const first = await trainWeather(all, { seed: 2012 });
    const second = await trainWeather(all, { seed: 2012 });
    expect(second.weightsSha256).toBe(first.weightsSha256);
    expect(first.weightsSha256).toBe(manifest.models.weather.versions['1'].training?.weightsSha256);
    // A model that learned something: far better than always predicting the majority class (sun, ~44%).
    expect(first.metrics.holdoutAccuracy).toBeGreaterThan(0.7);
  });

  it('gives different weights for a different seed (the seed really drives the run)', async () => {
    const other = await trainWeather(all, { seed: 7, epochs: 2 });
    const base = await trainWeather(all, { seed: 2012, epochs: 2 });
    expect(other.weightsSha256).not.toBe(base.weightsSha256);
  });
});
