import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RegistryManifest } from '../registry/Manifest.ts';

/**
 * Indented for review, but arrays of numbers (sketch counts, golden vectors) on one line each: one number
 * per line would make the baselines twenty times longer to read and to download.
 */
export function formatManifest(manifest: RegistryManifest): string {
  return JSON.stringify(manifest, null, 2).replace(/\[\s*(-?[\d.e+-]+(?:,\s*-?[\d.e+-]+)*)\s*\]/g, (_, list: string) => `[${list.split(/,\s*/).join(', ')}]`);
}

/** Writes `<registry>/manifest.json` through a rename, so a reader never sees half a file. */
export function writeManifest(registry: string, manifest: RegistryManifest): void {
  const path = join(registry, 'manifest.json');
  writeFileSync(`${path}.tmp`, `${formatManifest(manifest)}\n`);
  renameSync(`${path}.tmp`, path);
}
