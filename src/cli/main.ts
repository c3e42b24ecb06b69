/**
 * The `edgewatch` command.
 *   edgewatch publish <modelDir> --registry <dir> --name <model> [--version id] [--channel c] [--percent p] [--sign key.jwk]
 *   edgewatch verify <registryDir> [--key public.jwk]…
 *   edgewatch keygen [--out key.jwk] [--kid id]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { isEdgewatchError } from '../errors.ts';
import { generateSigningKey } from '../registry/signature.ts';
import { publish } from './publish.ts';
import { verifyRegistry } from './verifyRegistry.ts';

const USAGE = `usage:
  edgewatch publish <modelDir> --registry <dir> --name <model> [--version id] [--channel name] [--percent 0-100] [--sign key.jwk]
  edgewatch verify <registryDir> [--key public.jwk]...
  edgewatch keygen [--out key.jwk] [--kid id]`;

const readJwk = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as JsonWebKey;

/** Runs the CLI; returns the exit code. */
export async function main(argv: readonly string[], out: (line: string) => void = console.log, err: (line: string) => void = console.error): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === 'publish') {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: {
          registry: { type: 'string' },
          name: { type: 'string' },
          version: { type: 'string' },
          channel: { type: 'string' },
          percent: { type: 'string' },
          sign: { type: 'string' },
        },
      });
      if (positionals.length !== 1 || !values.registry || !values.name) {
        err(USAGE);
        return 2;
      }
      const percent = values.percent === undefined ? undefined : Number(values.percent);
      if (percent !== undefined && !(percent >= 0 && percent <= 100)) {
        err('--percent must be a number from 0 to 100');
        return 2;
      }
      const result = await publish({
        modelDir: positionals[0],
        registry: values.registry,
        name: values.name,
        version: values.version,
        channel: values.channel,
        percent,
        signingKey: values.sign ? readJwk(values.sign) : undefined,
      });
      out(`published ${values.name}@${result.version} → ${result.directory} (${result.artifacts.length} artifacts${values.sign ? ', signed' : ''})`);
      return 0;
    }
    if (command === 'verify') {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { key: { type: 'string', multiple: true } } });
      if (positionals.length !== 1) {
        err(USAGE);
        return 2;
      }
      const { problems, artifacts, signed } = await verifyRegistry(positionals[0], (values.key ?? []).map(readJwk));
      for (const problem of problems) err(`${problem.code}: ${problem.message}`);
      out(
        `${positionals[0]}: ${artifacts} artifacts checked, ${signed ? 'signed' : 'unsigned'}${values.key ? (problems.some((p) => p.code === 'SIGNATURE_INVALID') ? ', signature INVALID' : ', signature valid') : ''} — ${problems.length === 0 ? 'ok' : `${problems.length} problem(s)`}`,
      );
      return problems.length === 0 ? 0 : 1;
    }
    if (command === 'keygen') {
      const { values } = parseArgs({ args: rest, options: { out: { type: 'string' }, kid: { type: 'string' } } });
      const { privateJwk, publicJwk } = await generateSigningKey(values.kid);
      const path = values.out ?? 'edgewatch-signing.jwk';
      writeFileSync(path, `${JSON.stringify(privateJwk, null, 2)}\n`, { mode: 0o600 });
      const publicPath = path.replace(/(\.jwk|\.json)?$/, '.pub.jwk');
      writeFileSync(publicPath, `${JSON.stringify(publicJwk, null, 2)}\n`);
      out(`private key → ${path} (keep it secret)\npublic key → ${publicPath} (pin it in the app: createEdgeRuntime({ publicKeys: [...] }))`);
      return 0;
    }
    err(USAGE);
    return command === undefined || command === '--help' || command === 'help' ? 0 : 2;
  } catch (error) {
    err(isEdgewatchError(error) ? `${error.code}: ${error.message}` : String((error as Error)?.stack ?? error));
    return 1;
  }
}
