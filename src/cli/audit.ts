import { canonicalJson } from '../registry/canonicalJson.ts';
import type { AuditEntry, ModelVersion, RegistryManifest } from '../registry/Manifest.ts';
import { sha256Hex } from '../registry/sha256.ts';

/** Who signs off a release: `--by`, else `$USER`, else `unknown`. */
export function actor(by?: string): string {
  return by ?? process.env.USER ?? process.env.USERNAME ?? 'unknown';
}

/**
 * The digest an audit entry records: SHA-256 of the version entry's canonical JSON without `rollout`
 * (the one member a promotion changes), so the entry names the exact artifacts, metrics and lineage approved.
 */
export async function versionDigest(version: ModelVersion): Promise<string> {
  const { rollout: _rollout, ...rest } = version;
  return sha256Hex(new TextEncoder().encode(canonicalJson(rest)));
}

/** What a command adds to the audit log (the CLI passes it; library callers may leave it out). */
export interface AuditOptions {
  readonly by: string;
  /** Default: now. */
  readonly at?: string;
}

/** The manifest with `entry` appended to its `audit` log. */
export function withAudit<M extends RegistryManifest>(manifest: M, entry: AuditEntry): M {
  return { ...manifest, audit: [...(manifest.audit ?? []), entry] };
}
