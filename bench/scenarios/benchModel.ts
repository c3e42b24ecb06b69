/** A model of a bench registry, the record the scenarios send it, and where plain TF.js finds its files. */
import { compile } from '../../src/features/compile.ts';
import type { FeatureSpec, RawRecord } from '../../src/features/FeatureSpec.ts';
import type { RegistryManifest } from '../../src/registry/Manifest.ts';

export interface BenchModel {
  readonly label: string;
  /** The registry's manifest URL. */
  readonly registry: string;
  readonly name: string;
  readonly record: RawRecord;
}

/** The serving version's model file URL, its format for plain TF.js, and its features compiled (version '1' unless told). */
export async function peerSource(bench: BenchModel, version = '1') {
  const manifest = (await (await fetch(bench.registry)).json()) as RegistryManifest;
  const entry = manifest.models[bench.name].versions[version];
  return {
    url: new URL(entry.modelPath, new URL(bench.registry, location.href)).href,
    format: entry.format === 'tfjs-graph' ? ('graph' as const) : ('layers' as const),
    features: compile(entry.features),
    spec: entry.features,
  };
}

/** A deterministic record for any spec: numbers for number inputs, a Float32Array for vector ones, the first category… */
export function recordFor(spec: FeatureSpec, seed: number): RawRecord {
  const value = (i: number) => (((i + 1) * 7919 + seed * 104729) % 1000) / 1000;
  return Object.fromEntries(
    spec.inputs.map((input, i) => {
      const typed = input as { type: string; length?: number; categories?: readonly string[] };
      if (typed.type === 'number[]') return [input.name, Float32Array.from({ length: typed.length ?? 1 }, (_, j) => value(i + j))];
      if (typed.type === 'boolean') return [input.name, seed % 2 === 0];
      if (typed.type === 'category' || typed.type === 'text') return [input.name, typed.categories?.[0] ?? 'a'];
      if (typed.type === 'timestamp') return [input.name, 1_700_000_000_000 + seed * 3_600_000];
      return [input.name, value(i)];
    }),
  ) as RawRecord;
}
