import type { IDBPDatabase } from 'idb';
import { EdgewatchError, ErrorCode, isEdgewatchError } from '../errors.ts';
import type { EdgewatchDB, ManifestRow } from '../storage/db.ts';
import { canonicalJson } from './canonicalJson.ts';
import { checkFreshness, isExpired, keySetId, manifestSequence } from './freshness.ts';
import type { RegistryManifest } from './Manifest.ts';
import { sha256Hex } from './sha256.ts';
import { verifyManifest } from './signature.ts';
import { validateManifest } from './validateManifest.ts';

/** Default of {@link ManifestSourceOptions.maxManifestBytes}: 1 MiB. */
export const DEFAULT_MAX_MANIFEST_BYTES = 1 << 20;

/** The manifest in force. */
export interface ManifestState {
  readonly url: string;
  readonly manifest: RegistryManifest;
  /** SHA-256 of its canonical JSON: equal digests mean the same manifest, whatever the file's formatting. */
  readonly digest: string;
  readonly etag?: string;
  /** True when it differs from the one in force before this refresh. */
  readonly changed: boolean;
  /** True when the network gave nothing usable and this is the last good manifest from storage. */
  readonly fromStorage: boolean;
  /**
   * Why a fresh manifest was not taken (unreachable, invalid, badly signed, older than one accepted before,
   * expired, too large), when the last good one stays.
   */
  readonly refused?: EdgewatchError;
  /** Its `sequence` (0 when it has none). */
  readonly sequence: number;
  /**
   * True when it is past its `expires`: the last good manifest keeps serving what it served (going dark
   * would be a denial an attacker gets by cutting the network), but nothing fresher could be verified.
   */
  readonly expired: boolean;
}

/** Options of {@link ManifestSource}. */
export interface ManifestSourceOptions {
  /** Absolute manifest URL. */
  readonly url: string;
  /** Pinned public keys (JWK). When given, only manifests signed by one of them are accepted. */
  readonly publicKeys?: readonly JsonWebKey[];
  /** Where the last good manifest is kept; without it, an offline start has no manifest. */
  readonly db?: () => Promise<IDBPDatabase<EdgewatchDB>>;
  readonly fetch?: typeof fetch;
  /** Largest manifest read (bytes); a longer body is cut off unread (`MANIFEST_TOO_LARGE`). Default 1 MiB. */
  readonly maxManifestBytes?: number;
  /** Origins artifacts may come from besides the registry's base URL (see `artifactUrl`). */
  readonly artifactOrigins?: readonly string[];
  /** The clock for `expires` (ms since epoch). Default `Date.now`. */
  readonly now?: () => number;
}

/** Reads at most `max` bytes of the body as JSON; more (declared or streamed) is `MANIFEST_TOO_LARGE`. */
async function readCappedJson(url: string, response: Response, max: number): Promise<unknown> {
  const tooLarge = (bytes: number, declared: boolean) =>
    new EdgewatchError(ErrorCode.MANIFEST_TOO_LARGE, `The manifest ${url} is over ${max} bytes`, {
      url,
      maxBytes: max,
      [declared ? 'declaredBytes' : 'readBytes']: bytes,
    });
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > max) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge(declared, true);
  }
  const chunks: Uint8Array[] = [];
  let received = 0;
  if (response.body) {
    const reader = response.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        received += value.byteLength;
        if (received > max) {
          await reader.cancel().catch(() => undefined);
          throw tooLarge(received, false);
        }
        chunks.push(value);
      }
    } catch (cause) {
      if (isEdgewatchError(cause)) throw cause;
      throw new EdgewatchError(
        ErrorCode.MANIFEST_UNREACHABLE,
        `The manifest ${url} broke off after ${received} bytes`,
        { url, receivedBytes: received },
        { cause },
      );
    }
  }
  const bytes = new Uint8Array(received);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (cause) {
    throw new EdgewatchError(ErrorCode.MANIFEST_INVALID, `The manifest ${url} is not valid JSON`, { url, path: '' }, { cause });
  }
}

/**
 * Fetches the registry manifest with conditional requests (ETag / If-None-Match), reads at most
 * `maxManifestBytes`, validates it (artifact paths included), verifies its signature when keys are pinned,
 * refuses one older than the newest accepted (`sequence`) or past its `expires`, and keeps the last good
 * one in IndexedDB. What storage gives back is checked the same way, against the keys pinned now, every
 * time it is used (a 304, an offline start): a row written before a key was pinned or rotated, or by
 * another runtime of the origin, is not trusted for being stored. A manifest that is refused never
 * replaces the last good one: the app keeps running on what it had (and says why in `refused`). Only with
 * nothing good stored does a failure throw.
 */
export class ManifestSource {
  private current: ManifestState | undefined;
  /** Highest sequence accepted in this session (storage may be gone; this still holds). */
  private highest = 0;
  private readonly keySet: string;

  constructor(private readonly options: ManifestSourceOptions) {
    this.keySet = keySetId(options.publicKeys);
  }

  /** The manifest in force, if any was loaded. */
  get state(): ManifestState | undefined {
    return this.current;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private async row(): Promise<ManifestRow | undefined> {
    return this.options
      .db?.()
      .then((db) => db.get('manifests', this.options.url))
      .catch(() => undefined);
  }

  /** The newest sequence accepted from this registry under this key set, here or (stored) before. */
  private highestSeen(row: ManifestRow | undefined): number {
    const stored = row?.sequences?.[this.keySet];
    return Math.max(this.highest, Number.isSafeInteger(stored) ? (stored as number) : 0);
  }

  /** The last good manifest: the one in force, else the stored row re-verified now (undefined if it fails). */
  private async stored(row: ManifestRow | undefined, highest: number): Promise<{ state?: ManifestState; refused?: EdgewatchError }> {
    if (this.current) return { state: this.current };
    if (!row) return {};
    try {
      const { manifest, digest } = await this.accept(row.manifest, highest, { allowExpired: true });
      return {
        state: { url: this.options.url, manifest, digest, etag: row.etag, changed: false, fromStorage: true, ...this.freshness(manifest) },
      };
    } catch (error) {
      if (!isEdgewatchError(error)) throw error;
      return { refused: error };
    }
  }

  private freshness(manifest: RegistryManifest): { sequence: number; expired: boolean } {
    return { sequence: manifestSequence(manifest), expired: isExpired(manifest, this.now()) };
  }

  private async accept(json: unknown, highest: number, { allowExpired = false } = {}): Promise<{ manifest: RegistryManifest; digest: string }> {
    const { url, publicKeys, artifactOrigins } = this.options;
    const manifest = validateManifest(json, { url, artifactOrigins });
    if (publicKeys && publicKeys.length > 0) await verifyManifest(manifest, publicKeys);
    checkFreshness(manifest, highest, allowExpired ? Number.NEGATIVE_INFINITY : this.now(), url);
    const digest = await sha256Hex(new TextEncoder().encode(canonicalJson(manifest)));
    return { manifest, digest };
  }

  /** Keeps the accepted manifest and raises the stored sequence for this key set (never lowers it). */
  private async remember(manifest: RegistryManifest, etag: string | undefined, digest: string): Promise<void> {
    const { url } = this.options;
    const sequence = manifestSequence(manifest);
    this.highest = Math.max(this.highest, sequence);
    await this.options
      .db?.()
      .then(async (db) => {
        const tx = db.transaction('manifests', 'readwrite');
        const before = await tx.store.get(url);
        // A stored floor that is not an integer (storage is hostile until checked) counts as none, never as NaN.
        const sequences = { ...before?.sequences, [this.keySet]: Math.max(sequence, this.highestSeen(before)) };
        // Another tab may have stored a newer release meanwhile: the floor rises, the newer copy stays.
        const storedSequence = (before?.manifest as { sequence?: unknown } | null | undefined)?.sequence;
        const newer = before !== undefined && typeof storedSequence === 'number' && storedSequence > sequence;
        await tx.store.put(newer ? { ...before, sequences } : { url, manifest, etag, digest, fetchedAt: Date.now(), sequences });
        await tx.done;
      })
      .catch(() => undefined); // not remembering only costs the next offline start (this session's floor holds)
  }

  /** Checks the registry; returns the manifest in force afterwards. */
  async refresh(): Promise<ManifestState> {
    const row = await this.row();
    const highest = this.highestSeen(row);
    const { state: previous, refused: storedRefused } = await this.stored(row, highest);
    const { url } = this.options;
    const fallBack = (refused: EdgewatchError): ManifestState => {
      if (!previous) {
        if (storedRefused) refused.details.storedRefused = storedRefused.code;
        throw refused;
      }
      this.current = { ...previous, changed: false, fromStorage: true, refused, ...this.freshness(previous.manifest) };
      return this.current;
    };
    let response: Response;
    try {
      response = await (this.options.fetch ?? fetch)(url, {
        cache: 'no-cache',
        headers: previous?.etag ? { 'If-None-Match': previous.etag } : {},
      });
    } catch (cause) {
      return fallBack(new EdgewatchError(ErrorCode.MANIFEST_UNREACHABLE, `Could not fetch the manifest ${url}: ${String(cause)}`, { url }, { cause }));
    }
    if (response.status === 304 && previous) {
      // Not modified: the registry has nothing newer. Past `expires` that is a freeze, said as such.
      if (isExpired(previous.manifest, this.now()))
        return fallBack(
          new EdgewatchError(ErrorCode.MANIFEST_EXPIRED, `The manifest ${url} expired at ${previous.manifest.expires} and the registry has no newer one`, {
            url,
            expires: previous.manifest.expires,
            sequence: previous.sequence,
          }),
        );
      this.current = { ...previous, changed: false, fromStorage: false, refused: undefined, ...this.freshness(previous.manifest) };
      return this.current;
    }
    if (!response.ok)
      return fallBack(new EdgewatchError(ErrorCode.MANIFEST_UNREACHABLE, `GET ${url} answered ${response.status}`, { url, status: response.status }));
    let accepted: { manifest: RegistryManifest; digest: string };
    try {
      const json = await readCappedJson(url, response, this.options.maxManifestBytes ?? DEFAULT_MAX_MANIFEST_BYTES);
      accepted = await this.accept(json, Math.max(highest, previous?.sequence ?? 0));
    } catch (error) {
      if (!isEdgewatchError(error)) throw error;
      return fallBack(error);
    }
    const etag = response.headers.get('etag') ?? undefined;
    this.current = {
      url,
      manifest: accepted.manifest,
      digest: accepted.digest,
      etag,
      changed: previous !== undefined && previous.digest !== accepted.digest,
      fromStorage: false,
      ...this.freshness(accepted.manifest),
    };
    await this.remember(accepted.manifest, etag, accepted.digest);
    return this.current;
  }
}
