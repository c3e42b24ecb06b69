import { EdgewatchError, ErrorCode } from '../errors.ts';
import type { ModelVersion, RegistryManifest } from './Manifest.ts';

/** How the app wants a version chosen. */
export interface ResolveOptions {
  /** Channel to follow. Default `stable`. */
  readonly channel?: string;
  /** A version id the app pins; wins over the channel. */
  readonly version?: string;
}

/** The version chosen for this device. */
export interface ResolvedVersion {
  readonly name: string;
  readonly version: string;
  readonly entry: ModelVersion;
}

/** Picks the version of `name` to run. Unknown model, channel or version → `UNKNOWN_MODEL`. */
export function resolveVersion(manifest: RegistryManifest, name: string, options: ResolveOptions = {}): ResolvedVersion {
  const model = manifest.models[name];
  if (!model) throw new EdgewatchError(ErrorCode.UNKNOWN_MODEL, `The registry has no model "${name}"`, { name, known: Object.keys(manifest.models) });
  const channel = options.channel ?? 'stable';
  const version = options.version ?? model.channels[channel];
  if (version === undefined) throw new EdgewatchError(ErrorCode.UNKNOWN_MODEL, `Model "${name}" has no channel "${channel}"`, { name, channel });
  const entry = model.versions[version];
  if (!entry) throw new EdgewatchError(ErrorCode.UNKNOWN_MODEL, `Model "${name}" has no version "${version}"`, { name, version });
  return { name, version, entry };
}
