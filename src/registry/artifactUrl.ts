import { EdgewatchError, ErrorCode } from '../errors.ts';

function refuse(artifact: string, reason: string, url: string | undefined, jsonPath: string | undefined): never {
  throw new EdgewatchError(ErrorCode.ARTIFACT_ORIGIN_REFUSED, `Artifact ${JSON.stringify(artifact)} ${reason}`, {
    artifact,
    reason,
    ...(url !== undefined ? { url } : {}),
    ...(jsonPath !== undefined ? { path: jsonPath } : {}),
  });
}

/**
 * The absolute URL of an artifact, held to the origin policy: after URL resolution (so `..`, `%2e%2e` and
 * backslashes are already applied) it must be http(s) and lie inside the registry's base URL (the
 * manifest's directory), or be on one of `artifactOrigins`. Anything else throws
 * `ARTIFACT_ORIGIN_REFUSED` (`details.path` is `jsonPath` when given, `details.artifact` the path as written).
 */
export function artifactUrl(path: string, manifestUrl: string, artifactOrigins: readonly string[] = [], jsonPath?: string): string {
  let url: URL;
  try {
    url = new URL(path, manifestUrl);
  } catch {
    return refuse(path, 'is not a URL', undefined, jsonPath);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') refuse(path, `uses ${url.protocol}, not http(s)`, url.href, jsonPath);
  if (url.username !== '' || url.password !== '') refuse(path, 'carries credentials', url.href, jsonPath);
  const base = new URL('.', manifestUrl);
  if (url.origin === base.origin && url.pathname.startsWith(base.pathname)) return url.href;
  for (const allowed of artifactOrigins) {
    let origin: string;
    try {
      origin = new URL(allowed).origin;
    } catch {
      continue;
    }
    if (url.origin === origin) return url.href;
  }
  return refuse(path, `resolves to ${url.href}, outside the registry ${base.href} and not on an allowed origin`, url.href, jsonPath);
}
