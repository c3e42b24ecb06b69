import { readFileSync } from 'node:fs';
import { DriftKind } from '../../src/monitor/drift/DriftStatistic.ts';

const data = (file: string) => new URL(`../../node_modules/vega-datasets/data/${file}`, import.meta.url);

/** vega-datasets@3.2.1 tables the drift statistics are checked on (never tuned on). */
export const penguins = JSON.parse(readFileSync(data('penguins.json'), 'utf8')) as Record<string, string | number | null>[];
export const cars = JSON.parse(readFileSync(data('cars.json'), 'utf8')) as Record<string, string | number | null>[];
const seattle = readFileSync(data('seattle-weather.csv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => line.split(','));

/**
 * Few-valued real columns for random-halves false-alarm checks (the unit test and `bench:drift` use the
 * same ones). Penguins' Sex is MALE / FEMALE / null ×10 / "." ×1: the "." lands in one half only.
 */
export const realColumns: readonly [name: string, kind: DriftKind, values: (string | number | null)[]][] = [
  ['penguins Species', DriftKind.CATEGORICAL, penguins.map((r) => r.Species)],
  ['penguins Island', DriftKind.CATEGORICAL, penguins.map((r) => r.Island)],
  ['penguins Sex', DriftKind.CATEGORICAL, penguins.map((r) => r.Sex)],
  ['cars Cylinders', DriftKind.NUMERIC, cars.map((r) => r.Cylinders)],
  ['cars Origin', DriftKind.CATEGORICAL, cars.map((r) => r.Origin)],
  ['seattle weather', DriftKind.CATEGORICAL, seattle.map((r) => r[5])],
];
