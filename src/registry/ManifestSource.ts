import type { IDBPDatabase } from 'idb';
import { EdgewatchError, ErrorCode, isEdgewatchError } from '../errors.ts';
import type { EdgewatchDB } from '../storage/db.ts';
import { canonicalJson } from './canonicalJson.ts';
import type { RegistryManifest } from './Manifest.ts';
import { sha256Hex } from './sha256.ts';
import { verifyManifest } from './signature.ts';
import { validateManifest } from './validateManifest.ts';

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
  /** Why a fresh manifest was not taken (unreachable, invalid, badly signed), when the last good one stays. */
  readonly refused?: EdgewatchError;
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
}

/**
 * Fetches the registry manifest with conditional requests (ETag / If-None-Match), validates it, verifies
 * its signature when keys are pinned, and keeps the last good one in IndexedDB. A manifest that is
 * unreachable, malformed or wrongly signed never replaces the last good one: the app keeps running on
 * what it had (and says why in `refused`). Only with nothing stored does a failure throw.
 */
export class ManifestSource {
  private current: ManifestState | undefined;

  constructor(private readonly options: ManifestSourceOptions) {}

  /** The manifest in force, if any was loaded. */
  get state(): ManifestState | undefined {
    return this.current;
  }

  private async stored(): Promise<ManifestState | undefined> {
    if (this.current) return this.current;
    const row = await this.options
      .db?.()
      .then((db) => db.get('manifests', this.options.url))
      .catch(() => undefined);
    if (!row) return undefined;
    return { url: row.url, manifest: row.manifest as RegistryManifest, digest: row.digest, etag: row.etag, changed: false, fromStorage: true };
  }

  private async accept(json: unknown): Promise<{ manifest: RegistryManifest; digest: string }> {
    const manifest = validateManifest(json);
    if (this.options.publicKeys && this.options.publicKeys.length > 0) await verifyManifest(manifest, this.options.publicKeys);
    const digest = await sha256Hex(new TextEncoder().encode(canonicalJson(manifest)));
    return { manifest, digest };
  }

  /** Checks the registry; returns the manifest in force afterwards. */
  async refresh(): Promise<ManifestState> {
    const previous = await this.stored();
    const { url } = this.options;
    const fallBack = (refused: EdgewatchError): ManifestState => {
      if (!previous) throw refused;
      this.current = { ...previous, changed: false, fromStorage: true, refused };
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
      this.current = { ...previous, changed: false, fromStorage: false, refused: undefined };
      return this.current;
    }
    if (!response.ok)
      return fallBack(new EdgewatchError(ErrorCode.MANIFEST_UNREACHABLE, `GET ${url} answered ${response.status}`, { url, status: response.status }));
    let accepted: { manifest: RegistryManifest; digest: string };
    try {
      let json: unknown;
      try {
        json = await response.json();
      } catch (cause) {
        throw new EdgewatchError(ErrorCode.MANIFEST_INVALID, `The manifest ${url} is not valid JSON`, { url, path: '' }, { cause });
      }
      accepted = await this.accept(json);
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
    };
    await this.options
      .db?.()
      .then((db) => db.put('manifests', { url, manifest: accepted.manifest, etag, digest: accepted.digest, fetchedAt: Date.now() }))
      .catch(() => undefined); // not remembering only costs the next offline start
    return this.current;
  }
}
