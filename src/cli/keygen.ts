import { existsSync, writeFileSync } from 'node:fs';
import { generateSigningKey } from '../registry/signature.ts';
import { UsageError } from './UsageError.ts';

/** Where {@link keygen} puts the public half of `out`: `release.jwk` → `release.pub.jwk`. */
export const publicKeyPath = (out: string): string => out.replace(/(\.jwk|\.json)?$/, '.pub.jwk');

/**
 * `edgewatch keygen`: a new ES256 key pair, the private JWK at `out` (mode 0600) and the public one
 * beside it. Never overwrites: a key that exists may be the one an app already pins.
 *
 * @throws UsageError when either file exists (checked before writing either).
 */
export async function keygen(out: string, kid?: string): Promise<{ privatePath: string; publicPath: string }> {
  const publicPath = publicKeyPath(out);
  for (const path of [out, publicPath]) if (existsSync(path)) throw new UsageError(`${path} exists; keygen never overwrites a key (choose another --out)`);
  const { privateJwk, publicJwk } = await generateSigningKey(kid);
  // `wx`: fail rather than replace a file that appeared meanwhile.
  writeFileSync(out, `${JSON.stringify(privateJwk, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  writeFileSync(publicPath, `${JSON.stringify(publicJwk, null, 2)}\n`, { flag: 'wx' });
  return { privatePath: out, publicPath };
}
