import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parseSeattleWeather, type WeatherRecord } from './seattleWeather.ts';

/** Path of the pinned data file inside the vega-datasets package. */
export function seattleWeatherPath(): string {
  const require = createRequire(import.meta.url);
  // The package's exports hide data/ and package.json; its entry point sits in build/.
  return join(dirname(require.resolve('vega-datasets')), '..', 'data', 'seattle-weather.csv');
}

/** All 1,461 days, read from the pinned npm package (Node only). */
export function loadSeattleWeather(): WeatherRecord[] {
  return parseSeattleWeather(readFileSync(seattleWeatherPath(), 'utf8'));
}
