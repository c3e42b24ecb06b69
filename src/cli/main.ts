/**
 * The `edgewatch` command: `edgewatch <command> [options]`, `edgewatch <command> --help`, `edgewatch --version`.
 * Exit codes: 0 done, 1 failed (the message starts with the `EdgewatchError` code), 2 usage error
 * (nothing was done). No stack traces unless `EDGEWATCH_DEBUG=1`.
 */
import { parseArgs } from 'node:util';
import { EdgewatchError, ErrorCode, isEdgewatchError } from '../errors.ts';
import { EDGEWATCH_VERSION } from '../version.ts';
import { buildBaseline } from './buildBaseline.ts';
import { init } from './init.ts';
import { keygen } from './keygen.ts';
import { parseDuration } from './parseDuration.ts';
import { publish } from './publish.ts';
import { rollback } from './rollback.ts';
import { readJsonFile } from './readJsonFile.ts';
import { checkSafeName, SAFE_NAME } from './safeName.ts';
import { UsageError } from './UsageError.ts';
import { verifyRegistry } from './verifyRegistry.ts';

type Values = Record<string, string | boolean | string[] | undefined>;
type Out = (line: string) => void;

interface Command {
  readonly summary: string;
  /** The synopsis after `edgewatch <name> `. */
  readonly synopsis: string;
  /** Lines of `--help` after the synopsis. */
  readonly help: string;
  readonly positionals: readonly string[];
  readonly required?: readonly string[];
  readonly options: Readonly<Record<string, { readonly type: 'string' | 'boolean'; readonly multiple?: boolean }>>;
  run(values: Values, positionals: readonly string[], out: Out, err: Out): Promise<number>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads a JWK file: an EC P-256 key, private (`d`) when it is to sign. */
function readJwk(path: string, option: string, needPrivate: boolean): JsonWebKey {
  const jwk = readJsonFile(path, option);
  if (!isObject(jwk) || jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.x !== 'string' || typeof jwk.y !== 'string')
    throw new EdgewatchError(ErrorCode.MANIFEST_INVALID, `${option} ${path} is not an EC P-256 JWK (edgewatch keygen makes one)`, { path });
  if (needPrivate && typeof jwk.d !== 'string')
    throw new EdgewatchError(ErrorCode.MANIFEST_INVALID, `${option} ${path} is a public key; signing needs the private one`, { path });
  return jwk as JsonWebKey;
}

const str = (v: Values[string]) => (typeof v === 'string' ? v : undefined);
const expiresOption = (values: Values) => {
  const text = str(values.expires);
  return text === undefined ? undefined : parseDuration('--expires', text);
};
const NAMES = `Names, versions, channels and key ids: 1–64 ASCII letters, digits, ".", "_" or "-", starting with a letter or digit (${SAFE_NAME.source}).`;

const COMMANDS: Readonly<Record<string, Command>> = {
  init: {
    summary: 'write a starter edgewatch.json from the model’s signature',
    synopsis: '<modelDir> [--model file.json] [--force]',
    help: `Reads the model's input and output tensors (a graph model's signature, a layers model's input layer)
and writes <modelDir>/edgewatch.json: a fitted feature spec (n named numbers for a flat input of at
most 64, else one number[] "tensor input" passed through unchanged), outputs (more than one column:
classification with labels class_0…; one: regression). Edit the labels, then run baseline and publish.

  --model file.json   the model file, relative to <modelDir> (default model.json)
  --force             replace an existing edgewatch.json`,
    positionals: ['modelDir'],
    options: { model: { type: 'string' }, force: { type: 'boolean' } },
    async run(values, [modelDir], out) {
      const { path, metadata } = await init({ modelDir, modelFile: str(values.model), force: values.force === true });
      out(`wrote ${path}: ${metadata.features.inputs.length} input(s), ${metadata.outputs.kind} outputs — edit the labels, then edgewatch baseline`);
      return 0;
    },
  },
  baseline: {
    summary: 'build the drift baseline from sample records',
    synopsis: '<modelDir> --data <file.csv|file.jsonl> [--out edgewatch.json] [--model file.json] [--label field] [--bins n]',
    help: `Runs the records through the model's feature spec and the model (TF.js, CPU, in Node), sketches
features and outputs as the device does, and writes edgewatch.json with its "baseline".

  --data file         sample records: .csv with a header row, or .jsonl (one JSON object a line; arrays for number[] inputs)
  --out file          where to write (default <modelDir>/edgewatch.json)
  --model file.json   the model file, relative to <modelDir> (default model.json)
  --label field       record field with the true label: adds the training quality
  --bins n            quantile bins per histogram (default 10)`,
    positionals: ['modelDir'],
    required: ['data'],
    options: { data: { type: 'string' }, out: { type: 'string' }, model: { type: 'string' }, label: { type: 'string' }, bins: { type: 'string' } },
    async run(values, [modelDir], out) {
      const bins = str(values.bins);
      if (bins !== undefined && !(/^\d+$/.test(bins) && Number(bins) >= 2 && Number(bins) <= 1000))
        throw new UsageError('--bins must be an integer from 2 to 1000');
      const { path, baseline } = await buildBaseline({
        modelDir,
        data: str(values.data) as string,
        out: str(values.out),
        modelFile: str(values.model),
        label: str(values.label),
        bins: bins === undefined ? undefined : Number(bins),
      });
      out(`baseline of ${baseline.rows} records (${Object.keys(baseline.features).length} feature columns) → ${path}`);
      return 0;
    },
  },
  publish: {
    summary: 'publish a model directory as a new version of a registry',
    synopsis: '<modelDir> --registry <dir> --name <model> [--version id] [--channel name] [--percent 0-100] [--sign key.jwk | --unsigned] [--model file.json]',
    help: `Checks everything, then copies the artifacts under <registry>/<name>/<content hash>/ and writes
manifest.json. Nothing is written when a check fails: the options, the model files, edgewatch.json
(schema: edgewatch.schema.json, and its feature spec compiles), the spec's width = the model's input
size, the outputs = the model's output size, the version is new (versions are immutable).

  --registry dir      the registry directory (holds manifest.json; created if needed)
  --name model        the model's name
  --version id        default: one more than the highest numeric version
  --channel name      the channel to point at the new version (default "stable" for a first version)
  --percent p         staged rollout to p % of installs on --channel (needs --channel)
  --sign key.jwk      sign the manifest with this private key
  --unsigned          publish into a signed registry without a key, dropping its signature
  --expires 30d       the manifest expires this long from now (m, h or d); devices refuse it after that.
                      Needed when the registry's manifest already expires. Every publish raises the
                      manifest's signed "sequence": devices refuse an older one.
  --model file.json   the model file, relative to <modelDir> (default model.json)

${NAMES}`,
    positionals: ['modelDir'],
    required: ['registry', 'name'],
    options: {
      registry: { type: 'string' },
      name: { type: 'string' },
      version: { type: 'string' },
      channel: { type: 'string' },
      percent: { type: 'string' },
      sign: { type: 'string' },
      unsigned: { type: 'boolean' },
      expires: { type: 'string' },
      model: { type: 'string' },
    },
    async run(values, [modelDir], out) {
      const percentText = str(values.percent);
      if (percentText !== undefined && !/^\d+(\.\d+)?$/.test(percentText)) throw new UsageError('--percent must be a number from 0 to 100');
      const name = str(values.name) as string;
      const sign = str(values.sign);
      const result = await publish({
        modelDir,
        modelFile: str(values.model),
        registry: str(values.registry) as string,
        name,
        version: str(values.version),
        channel: str(values.channel),
        percent: percentText === undefined ? undefined : Number(percentText),
        unsigned: values.unsigned === true,
        expiresInMs: expiresOption(values),
        signingKey: sign ? readJwk(sign, '--sign', true) : undefined,
      });
      out(`published ${name}@${result.version} → ${result.directory} (${result.artifacts.length} artifacts${sign ? ', signed' : ''})`);
      return 0;
    },
  },
  rollback: {
    summary: 'point a channel back at an earlier version, as a new signed release',
    synopsis: '<registryDir> --name <model> --to <version> [--channel name] [--sign key.jwk | --unsigned] [--expires 30d]',
    help: `Devices refuse a manifest older than the newest they accepted (MANIFEST_ROLLBACK), so going back is
a new release: the channel names the earlier version and the manifest's sequence goes up. A staged
rollout on the channel ends. Nothing is written when a check fails.

  --name model        the model
  --to version        a version published in this registry
  --channel name      the channel to move (default stable)
  --sign key.jwk      sign the manifest with this private key (needed to keep a signed registry signed)
  --unsigned          roll back a signed registry without a key, dropping its signature
  --expires 30d       the manifest expires this long from now (needed when it already expires)`,
    positionals: ['registryDir'],
    required: ['name', 'to'],
    options: {
      name: { type: 'string' },
      to: { type: 'string' },
      channel: { type: 'string' },
      sign: { type: 'string' },
      unsigned: { type: 'boolean' },
      expires: { type: 'string' },
    },
    async run(values, [registry], out) {
      const sign = str(values.sign);
      const name = str(values.name) as string;
      const to = str(values.to) as string;
      const channel = str(values.channel) ?? 'stable';
      if (sign && values.unsigned === true) throw new UsageError('--unsigned and --sign contradict each other');
      const { from, manifest } = await rollback({
        registry,
        name,
        to,
        channel,
        unsigned: values.unsigned === true,
        expiresInMs: expiresOption(values),
        signingKey: sign ? readJwk(sign, '--sign', true) : undefined,
      });
      out(`${name} ${channel}: ${JSON.stringify(from ?? null)} → "${to}" (sequence ${manifest.sequence}${sign ? ', signed' : ''})`);
      return 0;
    },
  },
  verify: {
    summary: 'check a registry: manifest, every artifact’s size and SHA-256, the signature',
    synopsis: '<registryDir> [--key public.jwk]...',
    help: `Checks a registry directory the way a device would. Exit 1 and one line per problem when anything is off.

  --key public.jwk    a public key the signature must verify with (repeatable: any of them)`,
    positionals: ['registryDir'],
    options: { key: { type: 'string', multiple: true } },
    async run(values, [registry], out, err) {
      const keys = (values.key as string[] | undefined) ?? [];
      const { problems, artifacts, signed } = await verifyRegistry(
        registry,
        keys.map((k) => readJwk(k, '--key', false)),
      );
      for (const problem of problems) err(`${problem.code}: ${problem.message}`);
      const signature = keys.length > 0 ? (problems.some((p) => p.code === 'SIGNATURE_INVALID') ? ', signature INVALID' : ', signature valid') : '';
      out(
        `${registry}: ${artifacts} artifacts checked, ${signed ? 'signed' : 'unsigned'}${signature} — ${problems.length === 0 ? 'ok' : `${problems.length} problem(s)`}`,
      );
      return problems.length === 0 ? 0 : 1;
    },
  },
  keygen: {
    summary: 'make an ES256 signing key pair',
    synopsis: '[--out key.jwk] [--kid id]',
    help: `Writes the private key to --out (mode 0600; keep it secret) and the public key beside it as
<name>.pub.jwk (pin it in the app: createEdgeRuntime({ publicKeys: [...] })). Refuses when either exists.

  --out file          default edgewatch-signing.jwk
  --kid id            key id recorded in signatures

${NAMES}`,
    positionals: [],
    options: { out: { type: 'string' }, kid: { type: 'string' } },
    async run(values, _positionals, out) {
      const kid = str(values.kid);
      if (kid !== undefined) checkSafeName('kid', kid);
      const path = str(values.out) ?? 'edgewatch-signing.jwk';
      if (path === '') throw new UsageError('--out must name a file');
      const { privatePath, publicPath } = await keygen(path, kid);
      out(`private key → ${privatePath} (keep it secret)\npublic key → ${publicPath} (pin it in the app: createEdgeRuntime({ publicKeys: [...] }))`);
      return 0;
    },
  },
};

const USAGE = `usage: edgewatch <command> [options]    (edgewatch <command> --help for its options)

${Object.entries(COMMANDS)
  .map(([name, c]) => `  edgewatch ${name} ${c.synopsis}\n      ${c.summary}`)
  .join('\n')}

  edgewatch --version`;

/** Node's parseArgs errors, in the CLI's words. */
function usageFromParseError(error: unknown): UsageError | undefined {
  const code = (error as { code?: string })?.code;
  if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS_')) return undefined;
  const message = (error as Error).message;
  const option = /'(-[^' ]+)/.exec(message)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return new UsageError(`unknown option ${option ?? message}`);
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    if (/argument missing/.test(message)) return new UsageError(`missing value for ${option}`);
    if (/does not take an argument/.test(message)) return new UsageError(`${option} takes no value`);
    if (/ambiguous/.test(message)) return new UsageError(`missing value for ${option} (the next word is an option)`);
  }
  return new UsageError(message.split('\n')[0]);
}

/** Runs the CLI; returns the exit code (0 done, 1 failed, 2 usage error). Never throws. */
export async function main(argv: readonly string[], out: Out = console.log, err: Out = console.error): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const command = name === 'help' && rest[0] !== undefined ? COMMANDS[rest[0]] : undefined;
    out(command ? `usage: edgewatch ${rest[0]} ${command.synopsis}\n\n${command.help}` : USAGE);
    return 0;
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    out(EDGEWATCH_VERSION);
    return 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    err(`edgewatch: unknown command ${JSON.stringify(name)}\n${USAGE}`);
    return 2;
  }
  const prefix = `edgewatch ${name}`;
  try {
    let parsed: { values: Values; positionals: string[] };
    try {
      parsed = parseArgs({ args: [...rest], allowPositionals: true, strict: true, options: { ...command.options, help: { type: 'boolean', short: 'h' } } });
    } catch (error) {
      throw usageFromParseError(error) ?? error;
    }
    const { values, positionals } = parsed;
    if (values.help) {
      out(`usage: ${prefix} ${command.synopsis}\n\n${command.help}`);
      return 0;
    }
    if (positionals.length < command.positionals.length) throw new UsageError(`missing <${command.positionals[positionals.length]}>`);
    if (positionals.length > command.positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[command.positionals.length])}`);
    for (const option of command.required ?? []) if (values[option] === undefined) throw new UsageError(`missing --${option}`);
    return await command.run(values, positionals, out, err);
  } catch (error) {
    if (process.env.EDGEWATCH_DEBUG) err(String((error as Error)?.stack ?? error));
    // An option the library refused (a bad name, --percent without --channel…) is a usage error too.
    if (error instanceof UsageError || (isEdgewatchError(error, ErrorCode.INPUT_INVALID) && typeof error.details.option === 'string')) {
      err(`${prefix}: ${isEdgewatchError(error) ? `${error.code}: ` : ''}${error.message}\nusage: ${prefix} ${command.synopsis}\n(${prefix} --help for more)`);
      return 2;
    }
    err(`${prefix}: ${isEdgewatchError(error) ? `${error.code}: ${error.message}` : `unexpected error: ${(error as Error)?.message ?? String(error)}`}`);
    return 1;
  }
}
