import { EdgewatchError, ErrorCode } from '../errors.ts';
import { EDGEWATCH_VERSION } from '../version.ts';
import { versionKey } from './versionKey.ts';
import type { ModelVersion, RegistryManifest } from './Manifest.ts';
import { satisfies } from './semver.ts';

/** What the device can do, for `requirements`. Unknown fields are not checked. */
export interface DeviceProfile {
  /** Runtime version; default this package's. */
  readonly runtimeVersion?: string;
  /** Backends that start on this device. */
  readonly backends?: readonly string[];
  /** Free storage, from `navigator.storage.estimate()`. */
  readonly freeStorageBytes?: number;
  /** WebGPU adapter's `limits.maxBufferSize`. */
  readonly maxBufferSize?: number;
}

/** The channel followed when none is named. */
export const DEFAULT_CHANNEL = 'stable';

/** How the app wants a version chosen. */
export interface ResolveOptions {
  /** Channel to follow. Default `stable`. */
  readonly channel?: string;
  /** A version id the app pins; wins over the channel (but must still be runnable). */
  readonly version?: string;
  /** This install's rollout bucket for the model, in [0, 100) (see `cohortBucket`). Default 0. */
  readonly cohort?: number;
  readonly device?: DeviceProfile;
  /** Versions not to serve (rolled back on this device). */
  readonly exclude?: ReadonlySet<string>;
}

/** The version chosen for this device. */
export interface ResolvedVersion {
  readonly name: string;
  readonly version: string;
  readonly entry: ModelVersion;
  /** Versions passed over, with why (rollout, requirements, excluded). */
  readonly skipped: readonly { readonly version: string; readonly reason: string }[];
}

/** Why this device cannot run `entry`, or null when it can. */
export function unmetRequirement(entry: ModelVersion, device: DeviceProfile = {}): string | null {
  const req = entry.requirements;
  if (!req) return null;
  const runtime = device.runtimeVersion ?? EDGEWATCH_VERSION;
  if (req.runtime && !satisfies(runtime, req.runtime)) return `needs runtime ${req.runtime}, this is ${runtime}`;
  if (req.backends && device.backends && !req.backends.some((b) => device.backends?.includes(b))) return `needs one of ${req.backends.join(', ')}`;
  if (req.minStorageBytes !== undefined && device.freeStorageBytes !== undefined && device.freeStorageBytes < req.minStorageBytes) {
    return `needs ${req.minStorageBytes} bytes of storage, ${device.freeStorageBytes} free`;
  }
  if (req.minBufferSize !== undefined && device.maxBufferSize !== undefined && device.maxBufferSize < req.minBufferSize) {
    return `needs GPU buffers of ${req.minBufferSize} bytes, the adapter allows ${device.maxBufferSize}`;
  }
  return null;
}

/**
 * Picks the version of `name` for this device. A pinned version must be runnable. Otherwise the channel's
 * versions are tried newest first, skipping those whose rollout has not reached this install's cohort,
 * whose requirements the device does not meet, and those excluded (rolled back here). Deterministic:
 * the same manifest, cohort and device always give the same answer.
 *
 * @throws EdgewatchError `UNKNOWN_MODEL` when the manifest has no model `name`; `VERSION_UNAVAILABLE`
 * (`details.reason` says why) for a missing pin or channel, a pin the device cannot run, or no version left.
 */
export function resolveVersion(manifest: RegistryManifest, name: string, options: ResolveOptions = {}): ResolvedVersion {
  const model = Object.hasOwn(manifest.models, name) ? manifest.models[name] : undefined;
  if (!model) throw new EdgewatchError(ErrorCode.UNKNOWN_MODEL, `The registry has no model "${name}"`, { name, known: Object.keys(manifest.models) });
  if (options.version !== undefined) {
    const entry = Object.hasOwn(model.versions, options.version) ? model.versions[options.version] : undefined;
    if (!entry) {
      throw new EdgewatchError(ErrorCode.VERSION_UNAVAILABLE, `Model "${name}" has no version "${options.version}"`, {
        name,
        version: options.version,
        reason: 'no such version',
      });
    }
    const unmet = unmetRequirement(entry, options.device);
    if (unmet)
      throw new EdgewatchError(ErrorCode.VERSION_UNAVAILABLE, `${versionKey(name, options.version)} cannot run here: ${unmet}`, {
        name,
        version: options.version,
        reason: unmet,
      });
    return { name, version: options.version, entry, skipped: [] };
  }
  const channel = options.channel ?? DEFAULT_CHANNEL;
  const target = Object.hasOwn(model.channels, channel) ? model.channels[channel] : undefined;
  if (target === undefined)
    throw new EdgewatchError(ErrorCode.VERSION_UNAVAILABLE, `Model "${name}" has no channel "${channel}"`, { name, channel, reason: 'no such channel' });
  const cohort = options.cohort ?? 0;
  const skipped: { version: string; reason: string }[] = [];
  for (const version of typeof target === 'string' ? [target] : target) {
    const entry = Object.hasOwn(model.versions, version) ? model.versions[version] : undefined;
    if (!entry) {
      skipped.push({ version, reason: 'not in the manifest' });
      continue;
    }
    if (options.exclude?.has(version)) {
      skipped.push({ version, reason: 'rolled back on this device' });
      continue;
    }
    const percent = entry.rollout?.percent ?? 100;
    if (!(cohort < percent)) {
      skipped.push({ version, reason: `rollout ${percent}% has not reached cohort ${cohort}` });
      continue;
    }
    const unmet = unmetRequirement(entry, options.device);
    if (unmet) {
      skipped.push({ version, reason: unmet });
      continue;
    }
    return { name, version, entry, skipped };
  }
  throw new EdgewatchError(ErrorCode.VERSION_UNAVAILABLE, `No version of "${name}" on channel "${channel}" is available to this device`, {
    name,
    channel,
    reason: 'none available to this device',
    skipped,
  });
}
