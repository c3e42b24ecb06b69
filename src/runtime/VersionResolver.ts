import type { IDBPDatabase } from 'idb';
import { cohortBucket } from '../registry/cohort.ts';
import type { ManifestState } from '../registry/ManifestSource.ts';
import { resolveVersion, type DeviceProfile, type ResolveOptions } from '../registry/resolveVersion.ts';
import { versionKey } from '../registry/versionKey.ts';
import type { EdgewatchDB } from '../storage/db.ts';
import type { BackendInfo, LoadRequest } from '../../workers/protocol.ts';
import { freeStorageBytes } from './freeStorageBytes.ts';
import type { ResolvedRuntimeOptions } from './resolveOptions.ts';

/** What the resolver reads from the rest of the runtime. */
export interface VersionResolverSources {
  /** The manifest in force (fetched on first use). */
  manifest(): Promise<ManifestState>;
  /** The manifest in force if one was read already (marks are kept against it). */
  currentManifest(): ManifestState | undefined;
  db(): Promise<IDBPDatabase<EdgewatchDB>>;
  /** What the worker reports about backends, once it runs a model; undefined before. */
  backend(): Promise<BackendInfo | undefined>;
}

/**
 * Which version of a model this device should serve: the manifest's answer for the app's channel or pin,
 * this install's rollout cohort and the device (backends that start, WebGPU buffer limit, free storage),
 * leaving out versions marked bad here for the same manifest. Marks a version bad when it fails.
 */
export class VersionResolver {
  private backendInfo: BackendInfo | undefined;

  constructor(
    private readonly options: ResolvedRuntimeOptions,
    private readonly sources: VersionResolverSources,
  ) {}

  /** Whether the manifest in force gives `name` the channel `channel` (no reading, no resolving). */
  hasChannel(name: string, channel: string): boolean {
    const models = this.sources.currentManifest()?.manifest.models;
    return models !== undefined && Object.hasOwn(models, name) && Object.hasOwn(models[name].channels, channel);
  }

  /**
   * The version of `name` to load, as a load request.
   *
   * @throws EdgewatchError `UNKNOWN_MODEL` or `VERSION_UNAVAILABLE` (see `resolveVersion`), or what reading the manifest threw.
   */
  async resolve(name: string, options: ResolveOptions): Promise<LoadRequest> {
    const first = await this.sources.manifest();
    const state = this.sources.currentManifest() ?? first;
    const bad = await this.sources
      .db()
      .then((db) => db.getAll('badVersions'))
      .catch(() => []);
    const marked = new Set(bad.filter((row) => row.manifestDigest === state.digest).map((row) => row.key));
    const versions = Object.keys((Object.hasOwn(state.manifest.models, name) ? state.manifest.models[name].versions : undefined) ?? {});
    const exclude = new Set(versions.filter((version) => marked.has(this.badKey(name, version))));
    // Known once the worker has run a model; until then requirements on backends are not checked.
    this.backendInfo ??= await this.sources.backend().catch(() => undefined);
    const device: DeviceProfile = {
      backends: this.backendInfo?.available,
      maxBufferSize: this.backendInfo?.webgpuMaxBufferSize,
      freeStorageBytes: await freeStorageBytes(),
    };
    const cohort = cohortBucket(this.options.installId(), name);
    const { version, entry } = resolveVersion(state.manifest, name, { ...options, cohort, device, exclude });
    return {
      name,
      version,
      entry,
      manifestUrl: state.url,
      ...(this.options.artifactOrigins.length > 0 ? { artifactOrigins: this.options.artifactOrigins } : {}),
    };
  }

  /** Marks `version` of `name` bad for the manifest in force: it is not offered here again until the manifest changes. */
  async markBad(name: string, version: string, reason: string): Promise<void> {
    const state = this.sources.currentManifest();
    if (!state) return;
    await this.sources
      .db()
      .then((db) => db.put('badVersions', { key: this.badKey(name, version), manifestDigest: state.digest, reason, at: Date.now() }))
      .catch(() => undefined);
  }

  private badKey(name: string, version: string): string {
    return `${this.options.manifestUrl}|${versionKey(name, version)}`;
  }
}
