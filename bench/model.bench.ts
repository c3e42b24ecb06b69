/**
 * `npm run bench -- --model <dir/model.json>`: the overhead, batching and backend-choice scenarios on a
 * TF.js model the bench was never given. bench/run.mjs publishes it into a registry of its own
 * (bench/site/publishAnyModel.ts) and opens this page with `?registry=…&name=…`; the records come from
 * its starter feature spec (deterministic values, a Float32Array for a tensor input).
 *  1. overhead: runtime `predict()` vs plain TF.js `model.predict` + one postMessage in a worker (same backend), call by call;
 *  2. batching: the throughput curve (1, 10, 100, 1,000 concurrent callers, batched vs unbatched);
 *  3. backend choice: 'auto' vs each fixed backend vs TF.js's own default.
 */
import type { RegistryManifest } from '../src/registry/Manifest.ts';
import { createEdgeRuntime } from '../src/runtime/EdgeRuntime.ts';
import { backendChoice } from './scenarios/backendChoice.ts';
import { type BenchModel, peerSource, recordFor } from './scenarios/benchModel.ts';
import { rawPeer } from './scenarios/rawPeer.ts';
import { throughputCurve } from './scenarios/throughputCurve.ts';
import { percentile, round } from './stats.ts';

const params = new URLSearchParams(location.search);
const quick = params.has('quick');
const backend = params.get('backend') ?? 'wasm';
const only = params.get('only')?.split(',');
const registry = params.get('registry') ?? '';
const name = params.get('name') ?? '';
const part = async <T>(partName: string, run: () => Promise<T>): Promise<T | 'skipped'> => (!only || only.includes(partName) ? run() : 'skipped');
const logElement = document.querySelector('#log') as HTMLElement;
const log = (line: string) => {
  logElement.textContent += `\n${line}`;
  console.log(line);
};

const manifest = (await (await fetch(registry)).json()) as RegistryManifest;
const entry = manifest.models[name].versions['1'];
const bench: BenchModel = { label: name, registry, name, record: recordFor(entry.features, 0) };
/** Model size in input values: a small model gets more calls and every backend, a big one fewer. */
const inputSize = entry.features.inputs.reduce((sum, input) => sum + ((input as { length?: number }).length ?? 1), 0);
const small = inputSize < 10_000;

async function overhead() {
  const calls = quick ? (small ? 100 : 10) : small ? 1000 : 60;
  const warmup = small ? 50 : 3;
  const source = await peerSource(bench);
  const runtime = createEdgeRuntime({ registry, backends: [backend as 'wasm'], rememberBackend: false, dbName: `bench-any-${crypto.randomUUID()}` });
  const model = await runtime.model(name).ready();
  const peer = await rawPeer(source.url, source.format, backend);
  const records = Array.from({ length: 16 }, (_, i) => recordFor(entry.features, i));
  const raw: number[] = [];
  const ours: number[] = [];
  for (let i = -warmup; i < calls; i++) {
    const record = records[(i + warmup) % records.length];
    const input = Float32Array.from(source.features.transform([record]));
    let t0 = performance.now();
    await peer.predict(input);
    if (i >= 0) raw.push(performance.now() - t0);
    t0 = performance.now();
    await model.predict(record);
    if (i >= 0) ours.push(performance.now() - t0);
  }
  peer.close();
  await runtime.dispose();
  const result = {
    calls,
    backend,
    rawP50Ms: round(percentile(raw, 50)),
    runtimeP50Ms: round(percentile(ours, 50)),
    rawP90Ms: round(percentile(raw, 90)),
    runtimeP90Ms: round(percentile(ours, 90)),
    ratioP50: round(percentile(ours, 50) / percentile(raw, 50)),
    target: '≤ 1.05',
  };
  log(`overhead (${name}, ${backend}): runtime p50 ${result.runtimeP50Ms} ms vs raw TF.js ${result.rawP50Ms} ms → ×${result.ratioP50}`);
  return result;
}

try {
  const result = {
    date: new Date().toISOString(),
    userAgent: navigator.userAgent,
    crossOriginIsolated: globalThis.crossOriginIsolated,
    quick,
    backend,
    model: {
      name,
      format: entry.format,
      features: entry.features.inputs.length,
      inputValues: inputSize,
      bytes: entry.artifacts.reduce((s, a) => s + a.bytes, 0),
    },
    overhead: await part('overhead', overhead),
    // A big model's 1,000 concurrent calls take minutes (InceptionV3: ~0.45 s a call on wasm here, an hour for
    // the full curve): it stops at 20 predictions per measurement (1 and 10 callers), over 3 rounds.
    throughputCurve: await part('throughputCurve', () =>
      throughputCurve(bench, { quick, backend, log, ...(small ? {} : { calls: quick ? 10 : 20, rounds: quick ? 2 : 3, warmupRounds: 1 }) }),
    ),
    // A big model in quick mode: wasm alone beside 'auto' and a few calls (a software WebGL takes seconds a call).
    backendChoice: await part('backendChoice', () =>
      backendChoice([bench], { quick, small: () => small, log, ...(quick && !small ? { fixed: ['wasm' as const], calls: 3 } : {}) }),
    ),
  };
  (window as unknown as { __benchResult: unknown }).__benchResult = result;
  log('done');
} catch (error) {
  (window as unknown as { __benchResult: unknown }).__benchResult = { error: String((error as Error)?.stack ?? error) };
  log(`failed: ${String(error)}`);
}
