/**
 * First prediction by where the model's bytes are: fetched from the network (an empty artifact cache),
 * read back from Edgewatch's verified artifact cache (Cache Storage indexed in IndexedDB, re-verified on
 * use; a new runtime and worker on the same database, as on the next visit), or already in memory (the
 * runtime that loaded it: a second `model()`). Each round runs network → cache → memory on one
 * database, so all three meet the same machine state; medians over rounds, ratios over the network.
 * The registry's files are served `no-store`, so the network side really fetches them.
 */
import { createEdgeRuntime } from '../../src/runtime/EdgeRuntime.ts';
import { percentile, round } from '../stats.ts';
import type { BenchModel } from './benchModel.ts';

/** Waits until the cache lists the model (the worker writes it after the load). */
async function cached(runtime: ReturnType<typeof createEdgeRuntime>, name: string, timeoutMs = 60_000) {
  const end = performance.now() + timeoutMs;
  while (performance.now() < end) {
    if ((await runtime.cache.list()).some((v) => v.name === name)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${name} never reached the artifact cache`);
}

export async function coldStart(models: readonly BenchModel[], options: { quick: boolean; backend: string; log: (line: string) => void }) {
  const rounds = options.quick ? 1 : 5;
  const out: Record<string, unknown> = {};
  for (const bench of models) {
    const times = { network: [] as number[], cache: [] as number[], memory: [] as number[] };
    let cachedBytes = 0;
    for (let r = 0; r < rounds; r++) {
      const dbName = `bench-cs-${crypto.randomUUID()}`;
      const make = () => createEdgeRuntime({ registry: bench.registry, backends: [options.backend as 'wasm'], rememberBackend: false, dbName });
      await new Promise((resolve) => setTimeout(resolve, 200));
      let t0 = performance.now();
      const first = make();
      await first.model(bench.name).predict(bench.record);
      times.network.push(performance.now() - t0);
      await cached(first, bench.name);
      await first.dispose();

      await new Promise((resolve) => setTimeout(resolve, 200));
      t0 = performance.now();
      const next = make();
      await next.model(bench.name).predict(bench.record);
      times.cache.push(performance.now() - t0);
      cachedBytes = (await next.cache.usage()).bytes;

      t0 = performance.now();
      await next.model(bench.name).predict(bench.record);
      times.memory.push(performance.now() - t0);
      await next.dispose();
    }
    const p50 = (values: number[]) => percentile(values, 50);
    out[bench.name] = {
      rounds,
      networkMs: round(p50(times.network), 1),
      cacheMs: round(p50(times.cache), 1),
      memoryMs: round(p50(times.memory), 2),
      cacheOverNetwork: round(p50(times.cache) / p50(times.network), 2),
      memoryOverNetwork: round(p50(times.memory) / p50(times.network), 4),
      cachedBytes,
      target: 'cache < network; memory ≪ both',
    };
    options.log(
      `cold start (${bench.label}): network ${round(p50(times.network), 1)} ms, artifact cache ${round(p50(times.cache), 1)} ms (×${round(p50(times.cache) / p50(times.network), 2)}), in memory ${round(p50(times.memory), 2)} ms`,
    );
  }
  return out;
}
