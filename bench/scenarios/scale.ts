/**
 * Scale: what a prediction costs and what monitoring keeps in IndexedDB as predictions grow (10³ → 10⁶)
 * and features widen (5 → 500). One synthetic dense model per width (bench/models/scale, made by
 * scripts/build-bench-models.ts `buildScaleModels`, one named number input per feature), each in its own
 * runtime and database, all alive at once and called in turn (A B C A B C…, the same rows per call).
 * At each checkpoint the windows are flushed and every store of the runtime's database is measured
 * (values as stored: typed arrays by byte length, strings 2 bytes a character, numbers 8). Sketches are
 * fixed-size, so storage should stay flat as predictions grow and grow only with the feature count.
 */
import { openDB } from 'idb';
import type { RawRecord } from '../../src/features/FeatureSpec.ts';
import type { RegistryManifest } from '../../src/registry/Manifest.ts';
import { createEdgeRuntime } from '../../src/runtime/EdgeRuntime.ts';
import { round } from '../stats.ts';
import { recordFor } from './benchModel.ts';

export const SCALE_REGISTRY = '/bench/models/scale/manifest.json';
const ROWS_PER_CALL = 100;
/** Untimed calls first (JIT, the backend's first kernels); their rows count towards the first level. */
const WARMUP_CALLS = 5;

/** Approximate stored size of a structured-clone value. */
export function sizeOf(value: unknown, seen = new Set<object>()): number {
  if (value === null || value === undefined) return 0;
  if (typeof value === 'number') return 8;
  if (typeof value === 'boolean') return 4;
  if (typeof value === 'string') return 2 * value.length;
  if (typeof value === 'bigint') return 8;
  if (typeof value !== 'object') return 0;
  if (seen.has(value)) return 0;
  seen.add(value);
  if (value instanceof ArrayBuffer) return value.byteLength;
  if (ArrayBuffer.isView(value)) return value.byteLength;
  if (value instanceof Blob) return value.size;
  if (value instanceof Date) return 8;
  if (value instanceof Map) return [...value].reduce((sum, [k, v]) => sum + sizeOf(k, seen) + sizeOf(v, seen), 0);
  if (Array.isArray(value) || value instanceof Set) return [...value].reduce((sum: number, v) => sum + sizeOf(v, seen), 0);
  return Object.entries(value).reduce((sum, [k, v]) => sum + 2 * k.length + sizeOf(v, seen), 0);
}

/** Bytes and rows of every object store of database `name`. */
export async function storeSizes(name: string): Promise<{ total: number; stores: Record<string, { rows: number; bytes: number }> }> {
  const db = await openDB(name);
  const stores: Record<string, { rows: number; bytes: number }> = {};
  let total = 0;
  try {
    for (const store of db.objectStoreNames) {
      const values = await db.getAll(store);
      const bytes = values.reduce((sum: number, v) => sum + sizeOf(v), 0);
      stores[store] = { rows: values.length, bytes };
      total += bytes;
    }
  } finally {
    db.close();
  }
  return { total, stores };
}

export async function scale(options: { quick: boolean; backend: string; log: (line: string) => void }) {
  const checkpoints = options.quick ? [1e3, 1e4] : [1e3, 1e4, 1e5, 1e6];
  const manifest = (await (await fetch(SCALE_REGISTRY)).json()) as RegistryManifest;
  const names = Object.keys(manifest.models).sort((a, b) => Number(a.split('-')[1]) - Number(b.split('-')[1]));
  const widths = names;
  const sides = await Promise.all(
    widths.map(async (name) => {
      const dbName = `bench-scale-${name}-${crypto.randomUUID()}`;
      const runtime = createEdgeRuntime({
        registry: SCALE_REGISTRY,
        backends: [options.backend as 'wasm'],
        rememberBackend: false,
        cacheArtifacts: false,
        dbName,
      });
      const model = await runtime.model(name).ready();
      const spec = manifest.models[name].versions['1'].features;
      // A pool of varied rows, sent in turn: the sketches see a spread, the page builds no record on the clock.
      const pool: RawRecord[] = Array.from({ length: 1000 }, (_, i) => recordFor(spec, i));
      const calls = Array.from({ length: 8 }, (_, k) => pool.slice((k * ROWS_PER_CALL) % pool.length, ((k * ROWS_PER_CALL) % pool.length) + ROWS_PER_CALL));
      return { name, width: spec.inputs.length, dbName, runtime, model, calls, ms: 0, rows: 0 };
    }),
  );
  for (let i = 0; i < WARMUP_CALLS; i++) for (const side of sides) await side.model.predict(side.calls[i % side.calls.length]);
  const levels: Record<string, unknown>[] = [];
  let from = WARMUP_CALLS * ROWS_PER_CALL;
  let call = WARMUP_CALLS;
  for (const checkpoint of checkpoints) {
    for (const side of sides) side.ms = 0;
    for (let rows = from; rows < checkpoint; rows += ROWS_PER_CALL, call++) {
      for (const side of sides) {
        const t0 = performance.now();
        await side.model.predict(side.calls[call % side.calls.length]);
        side.ms += performance.now() - t0;
      }
    }
    const level: Record<string, unknown> = { predictions: checkpoint };
    for (const side of sides) {
      await side.runtime.flush();
      const storage = await storeSizes(side.dbName);
      const perPredictionUs = (side.ms * 1000) / (checkpoint - from);
      level[side.name] = {
        features: side.width,
        perPredictionUs: round(perPredictionUs, 2),
        storageBytes: storage.total,
        windowsBytes: storage.stores.windows?.bytes ?? 0,
        windowsRows: storage.stores.windows?.rows ?? 0,
      };
    }
    levels.push(level);
    from = checkpoint;
  }
  await Promise.all(sides.map((side) => side.runtime.dispose()));
  // Ratios against the smallest: 5 features at 10³ predictions (and each width against its own first level).
  const cost = (level: Record<string, unknown>, name: string) => (level[name] as { perPredictionUs: number }).perPredictionUs;
  const storage = (level: Record<string, unknown>, name: string) => (level[name] as { storageBytes: number }).storageBytes;
  const smallest = cost(levels[0], sides[0].name);
  for (const level of levels)
    for (const side of sides) {
      const row = level[side.name] as Record<string, number>;
      row.costRatioToSmallest = round(row.perPredictionUs / smallest, 2);
      row.costRatioToFirstLevel = round(row.perPredictionUs / cost(levels[0], side.name), 2);
      // The same level's 5-feature model: what width costs with the prediction count held.
      row.costRatioToFewestFeatures = round(row.perPredictionUs / cost(level, sides[0].name), 2);
      row.storageRatioToFirstLevel = round(row.storageBytes / storage(levels[0], side.name), 2);
    }
  const last = levels[levels.length - 1];
  options.log(
    `scale (${checkpoints.at(-1)?.toExponential()} predictions): ` +
      sides
        .map(
          (side) =>
            `${side.width} features ${cost(last, side.name)} µs/prediction (×${(last[side.name] as Record<string, number>).costRatioToSmallest}), storage ${Math.round(storage(levels[0], side.name) / 1024)} → ${Math.round(storage(last, side.name) / 1024)} KiB`,
        )
        .join('; '),
  );
  return {
    rowsPerCall: ROWS_PER_CALL,
    warmupPredictions: WARMUP_CALLS * ROWS_PER_CALL,
    levels,
    target: 'storage bounded: storageRatioToFirstLevel ≈ 1 as predictions grow ×1,000; cost per prediction flat in predictions',
  };
}
