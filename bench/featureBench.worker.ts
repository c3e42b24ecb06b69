/** Browser side of `npm run bench:features`: runs the benchmark inside a dedicated worker, as serving does. */
import csv from 'edgewatch-data/seattle-weather.csv?raw';
import { parseSeattleWeather } from '../src/demo/seattleWeather.ts';
import type { RegistryManifest } from '../src/registry/Manifest.ts';
import { runFeatureBench } from './featureBench.ts';

self.onmessage = async (message: MessageEvent<{ batchSizes: number[]; totalMs: number }>) => {
  try {
    const manifest = (await (await fetch('/registry/manifest.json')).json()) as RegistryManifest;
    const spec = manifest.models.weather.versions['1'].features;
    const records = parseSeattleWeather(csv).map(({ weather: _label, ...record }) => record);
    const environment = `Chromium worker (${navigator.userAgent.match(/Chrome\/[\d.]+/)?.[0] ?? navigator.userAgent})`;
    self.postMessage({ ok: true, run: runFeatureBench(environment, spec, records, message.data.batchSizes, message.data.totalMs) });
  } catch (error) {
    self.postMessage({ ok: false, error: String(error) });
  }
};
