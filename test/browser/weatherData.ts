import csv from 'edgewatch-data/seattle-weather.csv?raw';
import { parseSeattleWeather, type WeatherRecord } from '../../src/demo/seattleWeather.ts';

/** Every day of the real data set, parsed in the browser from the pinned npm package. */
export const weather: readonly WeatherRecord[] = parseSeattleWeather(csv);

/** The raw record the app would send: everything but the label. */
export function withoutLabel({ weather: _label, ...record }: WeatherRecord) {
  return record;
}

/** Manifest URL of the bundled registry, as served by Vite from public/. */
export const REGISTRY = '/registry/manifest.json';

/** A fresh IndexedDB name per test, so tests never see each other's rows. */
export function uniqueDbName(prefix: string): string {
  return `${prefix}-${crypto.randomUUID()}`;
}
