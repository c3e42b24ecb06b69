import { EdgewatchError, ErrorCode } from '../errors.ts';
import type { RegistryManifest } from './Manifest.ts';

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-](\d{2}):(\d{2}))$/;

/**
 * Milliseconds since the epoch of an ISO 8601 date-time with a zone (`2026-12-01T10:00:00Z`,
 * `…+02:00`), or NaN. Strict: a day the month lacks, hour 24 or minute 60 is NaN (Date.parse would roll
 * them over, and a signed `expires` must mean one instant only).
 */
export function parseDateTime(text: string): number {
  const m = DATE_TIME.exec(text);
  if (!m) return Number.NaN;
  const [year, month, day, hour, minute, second = 0] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((part) => (part === undefined ? 0 : Number(part)));
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  if (days === undefined || day < 1 || day > days || hour > 23 || minute > 59 || second > 59) return Number.NaN;
  if (m[9] !== undefined && (Number(m[9]) > 23 || Number(m[10]) > 59)) return Number.NaN;
  return Date.parse(text);
}

/** The manifest's `sequence`; a manifest without one (published before sequences existed) is sequence 0. */
export function manifestSequence(manifest: Pick<RegistryManifest, 'sequence'>): number {
  return manifest.sequence ?? 0;
}

/** The sequence the next release after `manifest` carries: one above its own (1 for a manifest without one). */
export function nextSequence(manifest: Pick<RegistryManifest, 'sequence'>): number {
  return manifestSequence(manifest) + 1;
}

/** Options of {@link withFreshness}. */
export interface FreshnessOptions {
  /** How long the new manifest stays valid, from `now`. Omitted: the result has no `expires`. */
  readonly expiresInMs?: number;
  /** The sequence to carry. Default: {@link nextSequence} of the manifest given. */
  readonly sequence?: number;
  /** The clock (ms since epoch). Default `Date.now()`. */
  readonly now?: number;
}

/**
 * What the publisher does before signing a release: the manifest with its `sequence` raised and its
 * `expires` set, without a `signature` (the old one no longer covers it; sign the result).
 */
export function withFreshness<M extends RegistryManifest>(manifest: M, options: FreshnessOptions = {}): M {
  const sequence = options.sequence ?? nextSequence(manifest);
  if (!Number.isSafeInteger(sequence) || sequence < 0) throw new RangeError(`sequence must be a non-negative integer, got ${sequence}`);
  const { signature: _signature, expires: _expires, ...rest } = manifest;
  const expiresInMs = options.expiresInMs;
  if (expiresInMs === undefined) return { ...rest, sequence } as unknown as M;
  if (!(expiresInMs > 0) || !Number.isFinite(expiresInMs)) throw new RangeError(`expiresInMs must be a positive number, got ${expiresInMs}`);
  const expires = new Date((options.now ?? Date.now()) + expiresInMs).toISOString();
  return { ...rest, sequence, expires } as unknown as M;
}

/** True when the manifest carries an `expires` that has passed at `now`. */
export function isExpired(manifest: Pick<RegistryManifest, 'expires'>, now: number): boolean {
  return manifest.expires !== undefined && !(parseDateTime(manifest.expires) > now);
}

/**
 * Throws `MANIFEST_ROLLBACK` when `manifest` is older than the newest sequence accepted before
 * (`highest`), and `MANIFEST_EXPIRED` when it is past its `expires`. An equal sequence is accepted: the
 * same release served again (a manifest without `sequence` is always 0).
 */
export function checkFreshness(manifest: RegistryManifest, highest: number, now: number, url: string): void {
  const sequence = manifestSequence(manifest);
  if (sequence < highest) {
    throw new EdgewatchError(ErrorCode.MANIFEST_ROLLBACK, `The manifest ${url} has sequence ${sequence}, older than ${highest} accepted before`, {
      url,
      sequence,
      highest,
    });
  }
  if (isExpired(manifest, now)) {
    throw new EdgewatchError(ErrorCode.MANIFEST_EXPIRED, `The manifest ${url} expired at ${manifest.expires}`, { url, expires: manifest.expires, sequence });
  }
}

/**
 * Names the pinned key set, for "highest sequence seen per registry URL and key set": manifests accepted
 * under other keys (or none) say nothing about this set's releases. Order-independent.
 */
export function keySetId(publicKeys: readonly JsonWebKey[] | undefined): string {
  if (!publicKeys || publicKeys.length === 0) return 'unpinned';
  return publicKeys
    .map((k) => `${k.kty}:${k.crv}:${k.x}:${k.y}`)
    .sort()
    .join(',');
}
