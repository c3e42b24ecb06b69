import { EdgewatchError, ErrorCode } from '../errors.ts';
import { hasSubtleCrypto } from '../env.ts';
import type { Artifact } from '../registry/Manifest.ts';
import { artifactUrl } from '../registry/artifactUrl.ts';
import { sha256Hex } from '../registry/sha256.ts';
import { versionKey } from '../registry/versionKey.ts';
import { storageError } from '../storage/storageError.ts';
import type { ArtifactCache } from './ArtifactCache.ts';

/** Progress of a version download. */
export interface DownloadProgress {
  /** Bytes in hand so far (from the network or the cache). */
  readonly loadedBytes: number;
  readonly totalBytes: number;
  /** Of `loadedBytes`, how many came from the cache. */
  readonly cachedBytes: number;
}

/** Options of {@link loadArtifacts}. */
export interface LoadArtifactsOptions {
  /** Verified artifacts are read from and written to this cache. */
  readonly cache?: ArtifactCache;
  /** Model and version, to index the cache and evict older versions. */
  readonly model?: string;
  readonly version?: string;
  /** Cache keys (`model@version`) eviction must keep (the serving versions). */
  readonly protect?: ReadonlySet<string>;
  readonly onProgress?: (progress: DownloadProgress) => void;
  /** Per-artifact time limit (ms). Default 60 s. */
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
  /** Origins artifacts may come from besides the registry's base URL (see `artifactUrl`). */
  readonly artifactOrigins?: readonly string[];
  /**
   * Storage refused to keep what was verified (Cache Storage full or gone, its IndexedDB index unusable):
   * the bytes are still returned and served from memory; this hears why (`QUOTA_EXCEEDED` or
   * `STORAGE_UNAVAILABLE`), once per load at most.
   */
  readonly onDegraded?: (error: EdgewatchError) => void;
}

async function verify(artifact: Artifact, bytes: Uint8Array): Promise<void> {
  if (bytes.byteLength !== artifact.bytes) {
    throw new EdgewatchError(ErrorCode.INTEGRITY_MISMATCH, `${artifact.path}: ${bytes.byteLength} bytes, manifest says ${artifact.bytes}`, {
      path: artifact.path,
      expectedBytes: artifact.bytes,
      actualBytes: bytes.byteLength,
    });
  }
  if (!hasSubtleCrypto()) {
    throw new EdgewatchError(ErrorCode.INTEGRITY_MISMATCH, 'WebCrypto is unavailable (not a secure context?): artifacts cannot be verified', {
      path: artifact.path,
    });
  }
  const sha256 = await sha256Hex(bytes as Uint8Array<ArrayBuffer>);
  if (sha256 !== artifact.sha256.toLowerCase()) {
    throw new EdgewatchError(ErrorCode.INTEGRITY_MISMATCH, `${artifact.path}: SHA-256 ${sha256} does not match the manifest`, {
      path: artifact.path,
      expected: artifact.sha256,
      actual: sha256,
    });
  }
}

function tooLarge(artifact: Artifact, url: string, bytes: number, declared: boolean): EdgewatchError {
  return new EdgewatchError(
    ErrorCode.INTEGRITY_MISMATCH,
    `${artifact.path}: ${declared ? 'Content-Length says' : 'more than'} ${bytes} bytes, manifest says ${artifact.bytes}; not read further`,
    { path: artifact.path, url, expectedBytes: artifact.bytes, [declared ? 'declaredBytes' : 'receivedBytes']: bytes, reason: 'too-large' },
  );
}

/**
 * Reads a response body into a buffer of the size the manifest declares, reporting bytes as they arrive.
 * A longer body (by Content-Length or as it streams) is cancelled at the first byte too many, so memory
 * never holds more than the manifest declared; a body shorter than Content-Length is a failed download.
 */
async function readBody(artifact: Artifact, url: string, response: Response, onChunk: (bytes: number) => void): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > artifact.bytes) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge(artifact, url, declared, true);
  }
  const bytes = new Uint8Array(artifact.bytes);
  let received = 0;
  if (response.body) {
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (received + value.byteLength > artifact.bytes) {
          await reader.cancel().catch(() => undefined);
          throw tooLarge(artifact, url, received + value.byteLength, false);
        }
        bytes.set(value, received);
        received += value.byteLength;
        onChunk(value.byteLength);
      }
    } catch (cause) {
      if (cause instanceof EdgewatchError) throw cause;
      // A connection closed before Content-Length was reached surfaces as a stream error in Chromium.
      const reason = Number.isFinite(declared) && received < declared ? 'truncated' : 'interrupted';
      throw new EdgewatchError(
        ErrorCode.DOWNLOAD_FAILED,
        `${url}: the download broke off after ${received} bytes`,
        {
          url,
          receivedBytes: received,
          declaredBytes: Number.isFinite(declared) ? declared : undefined,
          reason,
        },
        { cause },
      );
    }
  }
  if (Number.isFinite(declared) && received < declared) {
    throw new EdgewatchError(ErrorCode.DOWNLOAD_FAILED, `${url}: truncated, ${received} of ${declared} bytes`, {
      url,
      receivedBytes: received,
      declaredBytes: declared,
      reason: 'truncated',
    });
  }
  // Shorter than declared (no Content-Length to tell): the size check in verify() names it.
  return received === artifact.bytes ? bytes : bytes.subarray(0, received);
}

/**
 * Gets a version's artifacts — from the cache where a verified copy is there, else from the network —
 * and verifies each one's length and SHA-256 before returning any of them: bytes that do not match the
 * manifest are never handed to TF.js and never cached, and a body is never read past its declared size.
 * Paths outside the registry's base URL (and not on `artifactOrigins`) are refused before any request
 * (`ARTIFACT_ORIGIN_REFUSED`). Storage that fails or is full never costs the verified model: it is
 * returned from memory and `onDegraded` says what was not kept. Returns the bytes by artifact path.
 */
export async function loadArtifacts(manifestUrl: string, artifacts: readonly Artifact[], options: LoadArtifactsOptions = {}): Promise<Map<string, Uint8Array>> {
  const { onProgress, timeoutMs = 60_000 } = options;
  let cache = options.cache;
  /** Storage failed once: say so, and serve this load from memory without touching the cache again. */
  const degrade = (error: unknown) => {
    cache = undefined;
    options.onDegraded?.(storageError(error, 'model artifacts'));
  };
  const doFetch = options.fetch ?? fetch;
  const totalBytes = artifacts.reduce((sum, a) => sum + a.bytes, 0);
  let loadedBytes = 0;
  let cachedBytes = 0;
  const files = new Map<string, Uint8Array>();
  const urls: string[] = [];
  for (const artifact of artifacts) {
    const url = artifactUrl(artifact.path, manifestUrl, options.artifactOrigins);
    urls.push(url);
    const cached = cache ? await cache.get(url).catch(() => undefined) : undefined;
    if (cached) {
      try {
        await verify(artifact, cached);
        files.set(artifact.path, cached);
        loadedBytes += cached.byteLength;
        cachedBytes += cached.byteLength;
        onProgress?.({ loadedBytes, totalBytes, cachedBytes });
        continue;
      } catch {
        // A cached copy that no longer matches (manifest republished, storage corrupted): fetch afresh.
      }
    }
    let response: Response;
    try {
      response = await doFetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    } catch (cause) {
      const timedOut = (cause as { name?: string })?.name === 'TimeoutError';
      throw new EdgewatchError(
        ErrorCode.DOWNLOAD_FAILED,
        `Could not fetch ${url}: ${timedOut ? `no answer within ${timeoutMs} ms` : String(cause)}`,
        {
          url,
          reason: timedOut ? 'timeout' : 'network',
        },
        { cause },
      );
    }
    if (!response.ok)
      throw new EdgewatchError(ErrorCode.DOWNLOAD_FAILED, `GET ${url} answered ${response.status}`, { url, status: response.status, reason: 'http' });
    const startedAt = loadedBytes;
    const bytes = await readBody(artifact, url, response, (n) => {
      loadedBytes += n;
      onProgress?.({ loadedBytes, totalBytes, cachedBytes });
    });
    loadedBytes = startedAt + bytes.byteLength;
    await verify(artifact, bytes);
    if (cache) await cache.put(url, bytes, artifact.sha256.toLowerCase(), options.protect ?? new Set()).catch(degrade);
    files.set(artifact.path, bytes);
  }
  if (cache && options.model && options.version) {
    try {
      await cache.touch(options.model, options.version, urls, totalBytes);
      await cache.evict(new Set([...(options.protect ?? []), versionKey(options.model, options.version)]));
    } catch (error) {
      degrade(error);
    }
  }
  return files;
}
