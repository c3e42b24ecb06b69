/**
 * Throughput by concurrency: `level` callers at once (1, 10, 100, 1,000), micro-batched vs one message and
 * one model call per request (`batch.maxSize: 1`; it still pipelines). Every measurement is the same
 * number of predictions (waves of `level` concurrent calls), so each level's ratio compares like with
 * like; per round the levels and sides alternate (A B A B), medians over rounds.
 */
import type { RawRecord } from '../../src/features/FeatureSpec.ts';
import { createEdgeRuntime } from '../../src/runtime/EdgeRuntime.ts';
import { percentile, round } from '../stats.ts';
import type { BenchModel } from './benchModel.ts';

export const LEVELS = [1, 10, 100, 1000] as const;

export async function throughputCurve(
  bench: BenchModel,
  options: {
    quick: boolean;
    backend: string;
    log: (line: string) => void;
    records?: (i: number) => RawRecord;
    calls?: number;
    rounds?: number;
    warmupRounds?: number;
  },
) {
  // Quick mode: 200 predictions per measurement (one wave of 1,000 at the top level).
  const perMeasurement = options.calls ?? (options.quick ? 200 : 1000);
  const rounds = options.rounds ?? (options.quick ? 2 : 9);
  const warmup = options.warmupRounds ?? (options.quick ? 1 : 3);
  const record = options.records ?? (() => bench.record);
  const common = { registry: bench.registry, backends: [options.backend as 'wasm'], rememberBackend: false } as const;
  const batched = createEdgeRuntime({ ...common, dbName: `bench-tc-b-${crypto.randomUUID()}` });
  const unbatched = createEdgeRuntime({
    ...common,
    dbName: `bench-tc-u-${crypto.randomUUID()}`,
    batch: { maxSize: 1, maxWaitMs: 0, maxInFlight: Math.max(...LEVELS) },
  });
  const models = { batched: await batched.model(bench.name).ready(), unbatched: await unbatched.model(bench.name).ready() };
  const levels = options.calls === undefined ? [...LEVELS] : LEVELS.filter((level) => level <= perMeasurement);
  const predictions = (level: number) => Math.max(level, perMeasurement);
  const times = new Map(levels.map((level) => [level, { batched: [] as number[], unbatched: [] as number[] }]));
  for (let r = -warmup; r < rounds; r++) {
    for (const level of levels) {
      for (const kind of ['unbatched', 'batched'] as const) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        const t0 = performance.now();
        for (let done = 0; done < predictions(level); done += level) {
          await Promise.all(Array.from({ length: Math.min(level, predictions(level) - done) }, (_, i) => models[kind].predict(record(done + i))));
        }
        if (r >= 0) times.get(level)?.[kind].push(performance.now() - t0);
      }
    }
  }
  await batched.dispose();
  await unbatched.dispose();
  const out: Record<string, unknown> = { rounds };
  for (const level of levels) {
    const t = times.get(level) as { batched: number[]; unbatched: number[] };
    const b = percentile(t.batched, 50);
    const u = percentile(t.unbatched, 50);
    out[`concurrent${level}`] = {
      predictions: predictions(level),
      batchedPerSecond: Math.round((predictions(level) / b) * 1000),
      unbatchedPerSecond: Math.round((predictions(level) / u) * 1000),
      ratio: round(u / b, 2),
    };
  }
  out.target = '≈ 1 at 1 caller (batching costs nothing alone), growing with concurrency; ≥ 10 at 1,000';
  options.log(
    `throughput curve (${bench.label}): ${levels.map((level) => `${level}→×${(out[`concurrent${level}`] as { ratio: number }).ratio}`).join(', ')} (batched over unbatched)`,
  );
  return out;
}
