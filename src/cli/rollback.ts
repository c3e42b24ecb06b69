import { EdgewatchError, ErrorCode } from '../errors.ts';
import { withFreshness } from '../registry/freshness.ts';
import type { RegistryManifest } from '../registry/Manifest.ts';
import { signManifest } from '../registry/signature.ts';
import { validateManifest } from '../registry/validateManifest.ts';
import { type AuditOptions, versionDigest, withAudit } from './audit.ts';
import { checkKeepsTrust, readManifest } from './publish.ts';
import { checkSafeName } from './safeName.ts';
import { writeManifest } from './writeManifest.ts';

/** Options of {@link rollback}. */
export interface RollbackOptions {
  /** Registry directory (holds manifest.json). */
  readonly registry: string;
  readonly name: string;
  /** The published version the channel goes back to. */
  readonly to: string;
  /** Default `stable`. */
  readonly channel?: string;
  readonly signingKey?: JsonWebKey;
  /** Roll back a signed registry without a key, dropping its signature. */
  readonly unsigned?: boolean;
  readonly expiresInMs?: number;
  /** Append an entry to the manifest's audit log (the CLI always does). */
  readonly audit?: AuditOptions;
}

/** What {@link rollback} did. */
export interface RollbackResult {
  /** What the channel pointed at before (a version, or the versions of a staged rollout). */
  readonly from: string | readonly string[] | undefined;
  readonly manifest: RegistryManifest;
}

/**
 * Points a channel back at an earlier version as a new release: devices refuse an older manifest
 * (`MANIFEST_ROLLBACK`), so going back is never a replay of the old file but a manifest with a higher
 * `sequence` whose channel names the old version. Any staged rollout on that channel ends. Checked
 * before anything is written, like `publish`.
 *
 * @throws EdgewatchError `INPUT_INVALID` (with `details.option`) for bad options, `UNKNOWN_MODEL` /
 * `VERSION_UNAVAILABLE` when the model or version is not published there.
 */
export async function rollback(options: RollbackOptions): Promise<RollbackResult> {
  const channel = options.channel ?? 'stable';
  checkSafeName('name', options.name);
  checkSafeName('to', options.to);
  checkSafeName('channel', channel);
  const manifest = readManifest(options.registry);
  checkKeepsTrust(options.registry, manifest, options);
  if (!Object.hasOwn(manifest.models, options.name))
    throw new EdgewatchError(ErrorCode.UNKNOWN_MODEL, `${options.registry} has no model "${options.name}"`, { name: options.name });
  const model = manifest.models[options.name];
  if (!Object.hasOwn(model.versions, options.to))
    throw new EdgewatchError(ErrorCode.VERSION_UNAVAILABLE, `"${options.name}" has no published version "${options.to}"`, {
      name: options.name,
      version: options.to,
      reason: 'missing-version',
    });
  const from = Object.hasOwn(model.channels, channel) ? model.channels[channel] : undefined;
  let next: RegistryManifest = {
    ...manifest,
    models: { ...manifest.models, [options.name]: { ...model, channels: { ...model.channels, [channel]: options.to } } },
  };
  if (options.audit)
    next = withAudit(next, {
      at: options.audit.at ?? new Date().toISOString(),
      by: options.audit.by,
      action: 'rollback',
      model: options.name,
      version: options.to,
      channel,
      digest: await versionDigest(model.versions[options.to]),
    });
  next = withFreshness(next, { expiresInMs: options.expiresInMs });
  validateManifest(next);
  if (options.signingKey) next = await signManifest(next, options.signingKey);
  writeManifest(options.registry, next);
  return { from, manifest: next };
}
