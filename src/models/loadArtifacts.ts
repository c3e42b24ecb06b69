import { EdgewatchError, ErrorCode } from '../errors.ts';
import { hasSubtleCrypto } from '../env.ts';
import type { Artifact } from '../registry/Manifest.ts';
import { sha256Hex } from '../registry/sha256.ts';

/** Progress of a version download. */
export interface DownloadProgress {
  readonly loadedBytes: number;
  readonly totalBytes: number;
}

/**
 * Fetches a version's artifacts and verifies each one's length and SHA-256 before returning any of them:
 * a version whose bytes do not match the manifest is never handed to TF.js.
 * Returns the bytes by artifact path.
 */
export async function loadArtifacts(
  manifestUrl: string,
  artifacts: readonly Artifact[],
  onProgress?: (progress: DownloadProgress) => void,
): Promise<Map<string, Uint8Array>> {
  const totalBytes = artifacts.reduce((sum, a) => sum + a.bytes, 0);
  let loadedBytes = 0;
  const files = new Map<string, Uint8Array>();
  for (const artifact of artifacts) {
    const url = new URL(artifact.path, manifestUrl).href;
    let response: Response;
    try {
      response = await fetch(url);
    } catch (cause) {
      throw new EdgewatchError(ErrorCode.DOWNLOAD_FAILED, `Could not fetch ${url}: ${String(cause)}`, { url }, { cause });
    }
    if (!response.ok) throw new EdgewatchError(ErrorCode.DOWNLOAD_FAILED, `GET ${url} answered ${response.status}`, { url, status: response.status });
    const bytes = new Uint8Array(await response.arrayBuffer());
    loadedBytes += bytes.byteLength;
    onProgress?.({ loadedBytes, totalBytes });
    if (bytes.byteLength !== artifact.bytes) {
      throw new EdgewatchError(ErrorCode.INTEGRITY_MISMATCH, `${artifact.path}: ${bytes.byteLength} bytes, manifest says ${artifact.bytes}`, {
        path: artifact.path,
        expectedBytes: artifact.bytes,
        actualBytes: bytes.byteLength,
      });
    }
    if (!hasSubtleCrypto()) {
      throw new EdgewatchError(ErrorCode.INTEGRITY_MISMATCH, 'WebCrypto is unavailable (not a secure context?): artifacts cannot be verified', { path: artifact.path });
    }
    const sha256 = await sha256Hex(bytes);
    if (sha256 !== artifact.sha256.toLowerCase()) {
      throw new EdgewatchError(ErrorCode.INTEGRITY_MISMATCH, `${artifact.path}: SHA-256 ${sha256} does not match the manifest`, {
        path: artifact.path,
        expected: artifact.sha256,
        actual: sha256,
      });
    }
    files.set(artifact.path, bytes);
  }
  return files;
}
