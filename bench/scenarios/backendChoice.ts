/**
 * Backend choice: the p50 of the backend `'auto'` ends on (after its background trials) over the p50 of
 * the fastest fixed backend measured directly, every runtime alive at once and called in turn; beside
 * them, TF.js's own default choice (no `setBackend`, the same backends imported) in plain TF.js, in the
 * same turn, and the runtime fixed on the backend TF.js picked (when that one is among the fixed ones).
 */
import { createEdgeRuntime, type EdgeRuntime } from '../../src/runtime/EdgeRuntime.ts';
import type { BackendName } from '../../workers/protocol.ts';
import { percentile, round } from '../stats.ts';
import { type BenchModel, peerSource } from './benchModel.ts';
import { rawPeer } from './rawPeer.ts';

/** Waits until the runtime's background trials are over (`backend()` says measured or remembered). */
export async function measured(runtime: EdgeRuntime, timeoutMs = 10 * 60_000): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (performance.now() < end) {
    const by = (await runtime.backend())?.chosenBy;
    if (by === 'measured' || by === 'remembered') return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('background trials did not finish');
}

export async function backendChoice(
  models: readonly BenchModel[],
  options: { quick: boolean; small: (bench: BenchModel) => boolean; log: (line: string) => void; fixed?: BackendName[]; calls?: number },
) {
  const out: Record<string, unknown> = {};
  for (const bench of models) {
    const small = options.small(bench);
    const calls = options.calls ?? (options.quick ? 10 : small ? 60 : 20);
    const fixed: BackendName[] = options.fixed ?? (small ? ['wasm', 'cpu', 'webgl', 'webgpu'] : ['wasm', 'webgl']);
    const auto = createEdgeRuntime({ registry: bench.registry, dbName: `bench-bc-${crypto.randomUUID()}` });
    const trials: unknown[] = [];
    auto.addEventListener('backend-trial', (event) => trials.push((event as CustomEvent).detail));
    const autoModel = auto.model(bench.name);
    await autoModel.predict(bench.record);
    await measured(auto);
    const runtimes = fixed.map((name) =>
      createEdgeRuntime({ registry: bench.registry, backends: [name], rememberBackend: false, dbName: `bench-bcf-${crypto.randomUUID()}` }),
    );
    const models = await Promise.all(runtimes.map((rt) => rt.model(bench.name).ready()));
    const source = await peerSource(bench);
    // TF.js's default may be a software WebGPU (SwiftShader) that takes seconds a call on a big model: its
    // calls stop once they have used their time budget (at least one timed call after one warm-up); in
    // quick mode a big model skips it.
    const measureDefault = small || !options.quick;
    const tfjsDefault = measureDefault ? await rawPeer(source.url, source.format, 'tfjs-default') : undefined;
    let defaultBudgetMs = options.quick ? 3_000 : 30_000;
    const input = () => Float32Array.from(source.features.transform([bench.record]));
    const times: number[][] = fixed.map(() => []);
    const autoTimes: number[] = [];
    const defaultTimes: number[] = [];
    for (let i = -3; i < calls; i++) {
      let t0 = performance.now();
      await autoModel.predict(bench.record);
      if (i >= 0) autoTimes.push(performance.now() - t0);
      for (const [k, model] of models.entries()) {
        t0 = performance.now();
        await model.predict(bench.record);
        if (i >= 0) times[k].push(performance.now() - t0);
      }
      if (tfjsDefault && (i < -2 || (i >= 0 && (defaultBudgetMs > 0 || defaultTimes.length === 0)))) {
        const x = input();
        t0 = performance.now();
        await tfjsDefault.predict(x);
        const ms = performance.now() - t0;
        if (i >= 0) {
          defaultTimes.push(ms);
          defaultBudgetMs -= ms;
        }
      }
    }
    tfjsDefault?.close();
    const info = await auto.backend();
    const p50 = fixed.map((_, k) => percentile(times[k], 50));
    const fastest = p50.indexOf(Math.min(...p50));
    const defaultIndex = tfjsDefault ? fixed.indexOf(tfjsDefault.backend as BackendName) : -1;
    out[bench.name] = {
      calls,
      chosen: info?.name,
      chosenThreads: info?.threads,
      // What the background trials reported (backend-trial events), thread counts included.
      trials,
      chosenP50Ms: round(percentile(autoTimes, 50)),
      ...Object.fromEntries(fixed.map((name, k) => [`${name}P50Ms`, round(p50[k])])),
      fastestDirect: fixed[fastest],
      ratio: round(percentile(autoTimes, 50) / p50[fastest]),
      target: '≤ 1.05',
      tfjsDefault: tfjsDefault
        ? {
            backend: tfjsDefault.backend,
            calls: defaultTimes.length,
            rawP50Ms: round(percentile(defaultTimes, 50)),
            autoOverIt: round(percentile(autoTimes, 50) / percentile(defaultTimes, 50), 4),
            ...(defaultIndex >= 0
              ? { runtimeP50Ms: round(p50[defaultIndex]), autoOverRuntimeOnIt: round(percentile(autoTimes, 50) / p50[defaultIndex], 4) }
              : {}),
            note: "plain TF.js with no setBackend, timed in the same turns; autoOverIt < 1: 'auto' is faster than what TF.js picks",
          }
        : 'skipped: quick mode, big model (TF.js may pick a software WebGPU at seconds a call)',
    };
    options.log(
      `backend choice (${bench.label}): 'auto' → ${info?.name} p50 ${round(percentile(autoTimes, 50))} ms vs fastest ${fixed[fastest]} ${round(p50[fastest])} ms;` +
        (tfjsDefault ? ` TF.js default → ${tfjsDefault.backend} p50 ${round(percentile(defaultTimes, 50))} ms (plain TF.js)` : ''),
    );
    await Promise.all([auto, ...runtimes].map((rt) => rt.dispose()));
  }
  return out;
}
