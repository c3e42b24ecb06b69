import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ErrorCode, isEdgewatchError } from '../errors.ts';
import type { RegistryManifest } from '../registry/Manifest.ts';
import { sha256Hex } from '../registry/sha256.ts';
import { verifyManifest } from '../registry/signature.ts';
import { validateManifest } from '../registry/validateManifest.ts';
import { versionKey } from '../registry/versionKey.ts';
import { versionDigest } from './audit.ts';

/** One finding of {@link verifyRegistry}. */
export interface RegistryProblem {
  readonly code: ErrorCode;
  readonly message: string;
}

/**
 * Checks a registry directory the way a device would: the manifest validates, every artifact exists
 * with the recorded size and SHA-256, and — when public keys are given, or the manifest is signed and
 * keys are given — the signature verifies; a version the audit log names still has the entry its latest
 * audit entry's digest approved. Returns the problems (empty: all good).
 */
export async function verifyRegistry(
  registry: string,
  publicKeys: readonly JsonWebKey[] = [],
): Promise<{ problems: RegistryProblem[]; artifacts: number; signed: boolean }> {
  const problems: RegistryProblem[] = [];
  const manifestPath = join(registry, 'manifest.json');
  if (!existsSync(manifestPath))
    return { problems: [{ code: 'MANIFEST_UNREACHABLE', message: `${manifestPath} does not exist` }], artifacts: 0, signed: false };
  let manifest: RegistryManifest;
  try {
    manifest = validateManifest(JSON.parse(readFileSync(manifestPath, 'utf8')));
  } catch (error) {
    return {
      problems: [{ code: isEdgewatchError(error) ? error.code : 'MANIFEST_INVALID', message: String((error as Error).message) }],
      artifacts: 0,
      signed: false,
    };
  }
  let artifacts = 0;
  for (const [name, model] of Object.entries(manifest.models)) {
    for (const [version, entry] of Object.entries(model.versions)) {
      for (const artifact of [...entry.artifacts, ...(entry.fallback?.artifacts ?? [])]) {
        artifacts++;
        const path = join(registry, artifact.path);
        if (!existsSync(path)) {
          problems.push({ code: 'DOWNLOAD_FAILED', message: `${versionKey(name, version)}: ${artifact.path} is missing` });
          continue;
        }
        const bytes = readFileSync(path);
        if (bytes.byteLength !== artifact.bytes)
          problems.push({
            code: 'INTEGRITY_MISMATCH',
            message: `${versionKey(name, version)}: ${artifact.path} has ${bytes.byteLength} bytes, manifest says ${artifact.bytes}`,
          });
        else if ((await sha256Hex(bytes)) !== artifact.sha256.toLowerCase())
          problems.push({ code: 'INTEGRITY_MISMATCH', message: `${versionKey(name, version)}: ${artifact.path} SHA-256 differs from the manifest` });
      }
    }
  }
  // What was approved is what is there: each version's latest audited digest matches its entry.
  const audited = new Map<string, string>();
  for (const e of manifest.audit ?? []) if (typeof e.digest === 'string') audited.set(versionKey(e.model, e.version), e.digest);
  for (const [name, model] of Object.entries(manifest.models))
    for (const [version, entry] of Object.entries(model.versions)) {
      const digest = audited.get(versionKey(name, version));
      if (digest !== undefined && digest !== (await versionDigest(entry)))
        problems.push({
          code: 'MANIFEST_INVALID',
          message: `${versionKey(name, version)}: the entry differs from the one its audit log approved (digest ${digest.slice(0, 16)}…)`,
        });
    }
  if (publicKeys.length > 0) {
    try {
      await verifyManifest(manifest, publicKeys);
    } catch (error) {
      problems.push({ code: 'SIGNATURE_INVALID', message: String((error as Error).message) });
    }
  }
  return { problems, artifacts, signed: manifest.signature !== undefined };
}
