/**
 * `npm run bench -- --model <dir/model.json>`: publishes a TF.js model the bench was never given into a
 * registry of its own (bench/models/any/<name>/, git-ignored) with the project's own tools: `init` reads
 * the input shape from model.json and writes a starter spec (a tensor input for anything but a short flat
 * vector), `publish` hashes the files and writes the manifest. The model's folder is copied first, so
 * nothing is written next to it (it may live in node_modules).
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { init } from '../../src/cli/init.ts';
import { publish } from '../../src/cli/publish.ts';
import type { FeatureSpec } from '../../src/features/FeatureSpec.ts';

/** What the page needs to find the published model. */
export interface PublishedModel {
  readonly name: string;
  readonly source: string;
  /** The registry's manifest URL on the bench site. */
  readonly registryUrl: string;
  readonly features: FeatureSpec;
}

/** A registry model name from the model's folder name (`mobilenet_v2` stays, `my model!` → `my-model`). */
const nameOf = (dir: string) =>
  (
    basename(dir)
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^[^A-Za-z0-9]+/, '') || 'model'
  ).slice(0, 64);

export async function publishAnyModel(modelPath: string): Promise<PublishedModel> {
  // A folder stands for its model.json.
  const given = resolve(modelPath);
  const file = existsSync(given) && statSync(given).isDirectory() ? join(given, 'model.json') : given;
  if (!existsSync(file)) throw new Error(`--model ${modelPath}: no such file`);
  const name = nameOf(dirname(file));
  const work = mkdtempSync(join(tmpdir(), 'edgewatch-bench-any-'));
  try {
    cpSync(dirname(file), work, { recursive: true });
    // A folder that already has its edgewatch.json (its own feature spec) keeps it.
    if (!existsSync(join(work, 'edgewatch.json'))) await init({ modelDir: work, modelFile: basename(file) });
    const registry = join('bench', 'models', 'any', name);
    rmSync(registry, { recursive: true, force: true });
    mkdirSync(registry, { recursive: true });
    await publish({ modelDir: work, modelFile: basename(file), registry, name, version: '1' });
    const features = JSON.parse(readFileSync(join(work, 'edgewatch.json'), 'utf8')).features as FeatureSpec;
    console.log(`bench: published ${modelPath} as "${name}" into ${registry}`);
    return { name, source: modelPath, registryUrl: `/bench/models/any/${name}/manifest.json`, features };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
