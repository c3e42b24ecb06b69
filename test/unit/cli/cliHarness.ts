import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { main } from '../../../src/cli/main.ts';
import type { RegistryManifest } from '../../../src/registry/Manifest.ts';

/** The bundled demo registry (layers model `weather`, 6 features, 5 classes). */
export const bundled = new URL('../../../public/registry', import.meta.url).pathname;
export const bundledManifest: RegistryManifest = JSON.parse(readFileSync(join(bundled, 'manifest.json'), 'utf8'));

export const tempDir = (prefix: string) => mkdtempSync(join(tmpdir(), `ew-${prefix}-`));

/** A model directory made from the bundled weather v1: model.json, weights.bin and its edgewatch.json. */
export function weatherModelDir(metadata?: (m: Record<string, unknown>) => unknown): string {
  const dir = tempDir('model');
  const v1 = bundledManifest.models.weather.versions['1'];
  for (const artifact of v1.artifacts) cpSync(join(bundled, artifact.path), join(dir, artifact.path.split('/').pop() as string));
  const { format: _f, modelPath: _m, artifacts: _a, ...rest } = v1;
  writeFileSync(join(dir, 'edgewatch.json'), JSON.stringify(metadata ? metadata(structuredClone(rest) as Record<string, unknown>) : rest));
  return dir;
}

/** Runs the CLI in-process and collects what it printed. */
export async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(
    argv,
    (l) => out.push(l),
    (l) => err.push(l),
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** Every file under `dir` with its bytes (hex of size + content), to show that nothing was written. */
export function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  if (!existsSync(dir)) return files;
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else files[relative(dir, path)] = readFileSync(path).toString('base64');
    }
  };
  walk(dir);
  return files;
}
