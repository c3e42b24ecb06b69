import { EdgewatchError, ErrorCode } from '../errors.ts';
import type { RegistryManifest } from './Manifest.ts';
import { validateManifest } from './validateManifest.ts';

/** A validated manifest and the absolute URL it came from (artifact paths resolve against it). */
export interface FetchedManifest {
  readonly url: string;
  readonly manifest: RegistryManifest;
}

/**
 * Fetches and validates a registry manifest. Network or HTTP failures → `MANIFEST_UNREACHABLE`;
 * bad JSON or structure → `MANIFEST_INVALID`.
 */
export async function fetchManifest(registry: string | URL, base: string = globalThis.location?.href ?? 'http://localhost/'): Promise<FetchedManifest> {
  const url = new URL(registry, base).href;
  let response: Response;
  try {
    response = await fetch(url, { cache: 'no-cache' });
  } catch (cause) {
    throw new EdgewatchError(ErrorCode.MANIFEST_UNREACHABLE, `Could not fetch the manifest ${url}: ${String(cause)}`, { url }, { cause });
  }
  if (!response.ok) throw new EdgewatchError(ErrorCode.MANIFEST_UNREACHABLE, `GET ${url} answered ${response.status}`, { url, status: response.status });
  let json: unknown;
  try {
    json = await response.json();
  } catch (cause) {
    throw new EdgewatchError(ErrorCode.MANIFEST_INVALID, `The manifest ${url} is not valid JSON`, { url, path: '' }, { cause });
  }
  return { url, manifest: validateManifest(json) };
}
