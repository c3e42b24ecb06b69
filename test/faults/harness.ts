/**
 * What every fault test needs: a real registry over HTTP (test/browser/registryServer.ts, with its fault
 * injection), runtimes that are disposed after each test, and event collection.
 */
import { afterEach } from 'vitest';
import { commands } from 'vitest/browser';
import type { RegistryManifest } from '../../src/registry/Manifest.ts';
import { createEdgeRuntime, type EdgeRuntime, type EdgeRuntimeOptions } from '../../src/runtime/EdgeRuntime.ts';
import type { EdgeRuntimeEventMap } from '../../src/runtime/events.ts';
import { uniqueDbName, weather, withoutLabel } from '../browser/weatherData.ts';

export const day = withoutLabel(weather[1200]);
const runtimes: EdgeRuntime[] = [];
const servers: string[] = [];

afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((rt) => rt.dispose().catch(() => undefined)));
  await Promise.all(servers.splice(0).map((id) => commands.registryStop(id)));
});

/** A copy of the bundled registry served on a fresh port (a fresh origin). */
export async function serve() {
  const server = await commands.registryStart();
  servers.push(server.id);
  const manifest: RegistryManifest = JSON.parse(atob(await commands.registryRead(server.id, 'manifest.json')));
  const artifact = (version: string, file: string) =>
    manifest.models.weather.versions[version].artifacts.find((a) => a.path.endsWith(`/${file}`))?.path as string;
  const publish = (next: unknown) => commands.registryWrite(server.id, 'manifest.json', typeof next === 'string' ? next : JSON.stringify(next));
  const log = (clear = false) => commands.registryLog(server.id, clear);
  const fault = (path: string, f: Parameters<typeof commands.registryFault>[2]) => commands.registryFault(server.id, path, f);
  return { ...server, manifest, publish, artifact, log, fault, origin: new URL(server.url).origin };
}

export function runtime(registry: string, options: Partial<EdgeRuntimeOptions> = {}): EdgeRuntime {
  const rt = createEdgeRuntime({ registry, backends: ['cpu'], dbName: uniqueDbName('fault'), updateIntervalMs: 0, flushIntervalMs: 60_000, ...options });
  runtimes.push(rt);
  return rt;
}

export function collect<K extends keyof EdgeRuntimeEventMap>(rt: EdgeRuntime, type: K): EdgeRuntimeEventMap[K]['detail'][] {
  const seen: EdgeRuntimeEventMap[K]['detail'][] = [];
  rt.addEventListener(type, (event) => seen.push((event as EdgeRuntimeEventMap[K]).detail));
  return seen;
}

/** The manifest with `stable` moved to `version`, and optional top-level members (sequence, expires). */
export function release(manifest: RegistryManifest, version: string | string[], extra: Partial<RegistryManifest> = {}): RegistryManifest {
  const { signature: _signature, ...unsigned } = manifest;
  return {
    ...unsigned,
    ...extra,
    models: { ...manifest.models, weather: { ...manifest.models.weather, channels: { ...manifest.models.weather.channels, stable: version } } },
  };
}
