import { EdgewatchError, ErrorCode } from '../errors.ts';
import { withFreshness } from '../registry/freshness.ts';
import type { ModelVersion, RegistryManifest } from '../registry/Manifest.ts';
import { signManifest } from '../registry/signature.ts';
import { validateManifest } from '../registry/validateManifest.ts';
import { type AuditOptions, versionDigest, withAudit } from './audit.ts';
import { checkKeepsTrust, optionError, readManifest } from './publish.ts';
import { checkSafeName } from './safeName.ts';
import { writeManifest } from './writeManifest.ts';

/** Options of {@link promote}. */
export interface PromoteOptions {
  readonly registry: string;
  readonly name: string;
  /** A published version (a retrain candidate or any other). */
  readonly version: string;
  /** Default `stable`. */
  readonly channel?: string;
  /** Staged rollout: the version reaches this percent of installs, the channel's earlier versions the rest. Absent or 100: all of them. */
  readonly percent?: number;
  readonly signingKey?: JsonWebKey;
  readonly unsigned?: boolean;
  readonly expiresInMs?: number;
  readonly audit?: AuditOptions;
}

/** What {@link promote} did. */
export interface PromoteResult {
  readonly from: string | readonly string[] | undefined;
  readonly to: string | readonly string[];
  readonly manifest: RegistryManifest;
}

/**
 * `edgewatch promote`: points a channel at a published version, as a new release (sequence raised, signed
 * when given a key). With `percent` < 100 the version heads the channel for that share of installs and
 * the channel's earlier versions stay as the fallback (as `publish --percent`); promoting again with a
 * higher percent widens it, and without one (or 100) makes it the channel's only version. Appends an
 * audit entry with the version's digest and the gate results it was published with.
 *
 * @throws EdgewatchError `INPUT_INVALID` (with `details.option`) for bad options, `UNKNOWN_MODEL` /
 * `VERSION_UNAVAILABLE` when the model or version is not published there.
 */
export async function promote(options: PromoteOptions): Promise<PromoteResult> {
  const channel = options.channel ?? 'stable';
  const { name, version } = options;
  checkSafeName('name', name);
  checkSafeName('version', version);
  checkSafeName('channel', channel);
  if (options.percent !== undefined && !(options.percent >= 0 && options.percent <= 100))
    throw optionError('percent', '--percent must be a number from 0 to 100', 'range');
  if (options.signingKey && options.unsigned) throw optionError('unsigned', '--unsigned and --sign contradict each other', 'conflict');
  const manifest = readManifest(options.registry);
  checkKeepsTrust(options.registry, manifest, options);
  if (!Object.hasOwn(manifest.models, name)) throw new EdgewatchError(ErrorCode.UNKNOWN_MODEL, `${options.registry} has no model "${name}"`, { name });
  const model = manifest.models[name];
  if (!Object.hasOwn(model.versions, version))
    throw new EdgewatchError(ErrorCode.VERSION_UNAVAILABLE, `"${name}" has no published version "${version}"`, { name, version, reason: 'missing-version' });
  const from = Object.hasOwn(model.channels, channel) ? model.channels[channel] : undefined;
  const previous = (from === undefined ? [] : typeof from === 'string' ? [from] : [...from]).filter((v) => v !== version);
  const staged = options.percent !== undefined && options.percent < 100;
  if (staged && previous.length === 0)
    throw optionError(
      'percent',
      `"${channel}" has no earlier version to serve the other ${100 - (options.percent as number)} %: promote without --percent`,
      'no-fallback',
    );
  const to: string | readonly string[] = staged ? [version, ...previous] : version;
  const { rollout: _rollout, ...rest } = model.versions[version];
  const entry: ModelVersion = staged ? { ...rest, rollout: { percent: options.percent as number } } : rest;
  let next: RegistryManifest = {
    ...manifest,
    models: { ...manifest.models, [name]: { ...model, channels: { ...model.channels, [channel]: to }, versions: { ...model.versions, [version]: entry } } },
  };
  if (options.audit) {
    const gates = entry.training?.gates;
    next = withAudit(next, {
      at: options.audit.at ?? new Date().toISOString(),
      by: options.audit.by,
      action: 'promote',
      model: name,
      version,
      channel,
      percent: staged ? (options.percent as number) : 100,
      digest: await versionDigest(entry),
      ...(Array.isArray(gates) ? { gates: gates as Record<string, unknown>[] } : {}),
    });
  }
  next = withFreshness(next, { expiresInMs: options.expiresInMs });
  validateManifest(next);
  if (options.signingKey) next = await signManifest(next, options.signingKey);
  writeManifest(options.registry, next);
  return { from, to, manifest: next };
}
