/**
 * The `edgewatch` command: `edgewatch <command> [options]`, `edgewatch <command> --help`, `edgewatch --version`.
 * Exit codes: 0 done, 1 failed (the message starts with the `EdgewatchError` code), 2 usage error
 * (nothing was done). No stack traces unless `EDGEWATCH_DEBUG=1`.
 */
import { parseArgs } from 'node:util';
import { EdgewatchError, ErrorCode, isEdgewatchError } from '../errors.ts';
import { EDGEWATCH_VERSION } from '../version.ts';
import { actor } from './audit.ts';
import { buildBaseline } from './buildBaseline.ts';
import { formatGateTable, parseGates } from './gates.ts';
import { history } from './history.ts';
import { init } from './init.ts';
import { keygen } from './keygen.ts';
import { parseDuration } from './parseDuration.ts';
import { promote } from './promote.ts';
import { publish } from './publish.ts';
import { checkDriftTrigger, DriftTrigger } from './driftTrigger.ts';
import { readManifest } from './publish.ts';
import { resolveChampion, retrain } from './retrain.ts';
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
  /** Takes more positionals than it names (its `run` checks them). */
  readonly variadic?: boolean;
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
const percentOption = (values: Values) => {
  const text = str(values.percent);
  if (text !== undefined && !/^\d+(\.\d+)?$/.test(text)) throw new UsageError('--percent must be a number from 0 to 100');
  return text === undefined ? undefined : Number(text);
};
const auditOption = (values: Values) => {
  const by = str(values.by);
  if (by !== undefined && by.trim() === '') throw new UsageError('--by must name someone');
  return { by: actor(by) };
};
const BY = `  --by name           who signs off, for the manifest's audit log (default $USER)`;
const NAMES = `Names, versions, channels and key ids: 1–64 ASCII letters, digits, ".", "_" or "-", starting with a letter or digit (${SAFE_NAME.source}).`;

/** What every command that writes a new manifest takes: its signature, expiry and who approved it. */
const RELEASE_OPTIONS = {
  sign: { type: 'string' },
  unsigned: { type: 'boolean' },
  expires: { type: 'string' },
  by: { type: 'string' },
} as const;

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
    synopsis:
      '<modelDir> --registry <dir> --name <model> [--version id] [--channel name] [--percent 0-100] [--sign key.jwk | --unsigned] [--model file.json] [--alternate file.onnx] [--compile]',
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
  --alternate file    another encoding of the same model (e.g. its .onnx export), relative to <modelDir>:
                      checked against the same spec and outputs, hashed and signed with the version;
                      under backends 'auto' devices time both and keep the fastest correct one
  --compile           a TF.js layers model is compiled into a fused graph model (BatchNorm folded into
                      the convolutions and dense layers, bias and ReLU/ReLU6 fused, Dropout and other
                      identity layers dropped), checked against the original within 1e-5 on the goldens
                      (8 fixed rows without goldens). The version serves the compiled model and keeps the
                      original as its "fallback". A layer the compiler does not handle, or a failed check:
                      the layers model is published unchanged, and the reason is printed.
${BY}

${NAMES}`,
    positionals: ['modelDir'],
    required: ['registry', 'name'],
    options: {
      registry: { type: 'string' },
      name: { type: 'string' },
      version: { type: 'string' },
      channel: { type: 'string' },
      percent: { type: 'string' },
      ...RELEASE_OPTIONS,
      model: { type: 'string' },
      alternate: { type: 'string' },
      compile: { type: 'boolean' },
    },
    async run(values, [modelDir], out) {
      const percentText = str(values.percent);
      if (percentText !== undefined && !/^\d+(\.\d+)?$/.test(percentText)) throw new UsageError('--percent must be a number from 0 to 100');
      const name = str(values.name) as string;
      const sign = str(values.sign);
      const result = await publish({
        modelDir,
        modelFile: str(values.model),
        ...(str(values.alternate) ? { alternate: { modelFile: str(values.alternate) as string } } : {}),
        registry: str(values.registry) as string,
        name,
        version: str(values.version),
        channel: str(values.channel),
        percent: percentText === undefined ? undefined : Number(percentText),
        unsigned: values.unsigned === true,
        expiresInMs: expiresOption(values),
        signingKey: sign ? readJwk(sign, '--sign', true) : undefined,
        audit: auditOption(values),
        compile: values.compile === true,
      });
      const c = result.compile;
      if (c?.compiled)
        out(
          `compiled to a fused graph model: ${c.stats.folded} BatchNorm folded, ${c.stats.fused} activations fused, ${c.stats.removed} identity layers removed; max |Δ| ${c.maxDifference.toExponential(1)} on ${c.rows} ${c.rowsFrom} rows; ${c.bytes.original} → ${c.bytes.compiled} bytes (original kept as fallback)`,
        );
      else if (c) out(`not compiled (publishing the model as it is): ${c.reason}`);
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
  --expires 30d       the manifest expires this long from now (needed when it already expires)
${BY}`,
    positionals: ['registryDir'],
    required: ['name', 'to'],
    options: {
      name: { type: 'string' },
      to: { type: 'string' },
      channel: { type: 'string' },
      ...RELEASE_OPTIONS,
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
        audit: auditOption(values),
      });
      out(`${name} ${channel}: ${JSON.stringify(from ?? null)} → "${to}" (sequence ${manifest.sequence}${sign ? ', signed' : ''})`);
      return 0;
    },
  },
  retrain: {
    summary: 'retrain a model on new labelled data; gates against the champion; publish a candidate',
    synopsis:
      '--registry <dir> --name <model> --data <file.csv|file.jsonl> [--from version] [--recipe train.mjs] [--gates gates.json] [--version id] [--seed n] [--holdout-from date|fraction] [--label field] [--sign key.jwk | --unsigned] [--when summary.json|dir ... [--trigger any|features|prediction|concept]]',
    help: `Refits the champion's feature spec on the new records (minus the holdout) and trains a challenger
with TF.js on the CPU (seeded: the same inputs give the same bytes). Challenger and champion are evaluated
on the same holdout, overall and per slice (month of the spec's first timestamp input; each category
input's values). When every gate passes, the challenger is published as a candidate: a new version on no
channel, with metrics, gate results, baseline, goldens and lineage (parent, data SHA-256, recipe,
Edgewatch version). A failed gate publishes nothing: exit 1 (GATE_FAILED) and a table of why.

  --data file         labelled records: .csv with a header row, or .jsonl
  --from version      the champion (default: what "stable" serves everyone)
  --recipe train.mjs  a module exporting async train({ tf, records, spec, x, y, rows, width, outputs, seed })
                      → { model }; default: the weather demo's MLP
  --gates gates.json  [{ "metric", "threshold"?, "minAbsoluteChange"?, "minRelativeChange"?, "greaterIsBetter"? },
                       { "slices": "month", "metric", "maxDrop", "minRows"? }] (metrics: accuracy, logLoss, mae, rmse)
  --version id        the candidate's version (default one more than the highest numeric one)
  --seed n            default 1
  --holdout-from x    a date (YYYY-MM-DD: records from then on) or a fraction (the file's last part); default 0.2
  --label field       the record field with the true label (default the champion's training.label, else "label")
  --sign key.jwk      sign the manifest; --unsigned drops a signed registry's signature; --expires 30d
  --when files...     only when these exported DriftSummaries (files of one summary or an array; a directory:
                      its *.json) cross a threshold: the champion's summaries are merged and compared with
                      its baseline from the registry. Otherwise prints why not, writes nothing, exits 0.
  --trigger kinds     with --when, what counts (comma-separated): features, prediction, concept, any (default)
${BY}

${NAMES}`,
    positionals: [],
    variadic: true,
    required: ['registry', 'name', 'data'],
    options: {
      registry: { type: 'string' },
      name: { type: 'string' },
      data: { type: 'string' },
      from: { type: 'string' },
      recipe: { type: 'string' },
      gates: { type: 'string' },
      version: { type: 'string' },
      seed: { type: 'string' },
      'holdout-from': { type: 'string' },
      label: { type: 'string' },
      when: { type: 'string', multiple: true },
      trigger: { type: 'string' },
      ...RELEASE_OPTIONS,
    },
    async run(values, positionals, out) {
      const seed = str(values.seed);
      if (seed !== undefined && !/^\d{1,9}$/.test(seed)) throw new UsageError('--seed must be a non-negative integer');
      const sign = str(values.sign);
      if (sign && values.unsigned === true) throw new UsageError('--unsigned and --sign contradict each other');
      const when = [...((values.when as string[] | undefined) ?? []), ...positionals];
      if (values.when === undefined && positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
      const triggerText = str(values.trigger);
      if (triggerText !== undefined && values.when === undefined) throw new UsageError('--trigger needs --when');
      const kinds = (triggerText ?? DriftTrigger.any).split(',').map((k) => k.trim());
      for (const k of kinds) if (!Object.hasOwn(DriftTrigger, k)) throw new UsageError(`--trigger ${k}: one of ${Object.values(DriftTrigger).join(', ')}`);
      const gatesPath = str(values.gates);
      const gates = gatesPath === undefined ? undefined : parseGates(readJsonFile(gatesPath, '--gates'), gatesPath);
      if (values.when !== undefined) {
        const registry = str(values.registry) as string;
        const name = str(values.name) as string;
        checkSafeName('name', name);
        const manifest = readManifest(registry);
        const version = resolveChampion(manifest, registry, name, str(values.from));
        const check = checkDriftTrigger({ manifest, name, version, paths: when, on: kinds as DriftTrigger[] });
        const over = `${name}@${version} over ${check.summaries} summar${check.summaries === 1 ? 'y' : 'ies'} (${check.predictions} predictions${check.ignored.length > 0 ? `; ${check.ignored.length} of other versions left out` : ''})`;
        // Pooled buckets move a histogram's CDF by less than k/n: said, so a borderline verdict can be read with it.
        if (check.suppressedBuckets > 0)
          out(`note: k-anonymity pooled ${check.suppressedBuckets} short bucket(s) of these summaries into their neighbours (each CDF moves by less than k/n)`);
        if (!check.triggered) {
          out(`not retraining: no drift threshold crossed by ${over}; nothing written`);
          for (const reason of check.reasons) out(`  ${reason}`);
          return 0;
        }
        out(`retraining: ${over} crossed a drift threshold`);
        for (const reason of check.reasons) out(`  ${reason}`);
      }
      const result = await retrain({
        registry: str(values.registry) as string,
        name: str(values.name) as string,
        data: str(values.data) as string,
        from: str(values.from),
        recipe: str(values.recipe),
        gates,
        version: str(values.version),
        seed: seed === undefined ? undefined : Number(seed),
        holdoutFrom: str(values['holdout-from']),
        label: str(values.label),
        unsigned: values.unsigned === true,
        expiresInMs: expiresOption(values),
        signingKey: sign ? readJwk(sign, '--sign', true) : undefined,
        audit: auditOption(values),
      });
      const m = result.challenger.metrics;
      const c = result.championEvaluation.metrics;
      const key = 'accuracy' in m ? 'accuracy' : 'mae';
      out(
        `candidate ${str(values.name)}@${result.version} → ${result.directory} (parent ${result.champion}; ${result.trainRows} training, ${result.holdoutRows} holdout rows; ` +
          `${key} ${m[key].toFixed(4)} vs ${c[key].toFixed(4)})`,
      );
      if (result.gates.length > 0) out(formatGateTable(result.gates));
      out(`on no channel: edgewatch promote ${str(values.registry)} --name ${str(values.name)} --version ${result.version} --channel stable [--percent p]`);
      return 0;
    },
  },
  promote: {
    summary: 'point a channel at a published version (a candidate), optionally as a staged rollout',
    synopsis: '<registryDir> --name <model> --version <id> [--channel name] [--percent 0-100] [--sign key.jwk | --unsigned] [--expires 30d] [--by name]',
    help: `A new release (sequence raised, signed when given a key) whose channel names the version. With
--percent p < 100 the version serves p % of installs and the channel's earlier versions the rest;
promote again with a higher percent (or none: everyone) to widen it. Appends an audit entry with the
version's digest and gate results. Nothing is written when a check fails.

  --name model        the model
  --version id        a version published in this registry
  --channel name      the channel to move (default stable)
  --percent p         staged rollout to p % of installs
  --sign key.jwk      sign the manifest with this private key (needed to keep a signed registry signed)
  --unsigned          promote in a signed registry without a key, dropping its signature
  --expires 30d       the manifest expires this long from now (needed when it already expires)
${BY}`,
    positionals: ['registryDir'],
    required: ['name', 'version'],
    options: {
      name: { type: 'string' },
      version: { type: 'string' },
      channel: { type: 'string' },
      percent: { type: 'string' },
      ...RELEASE_OPTIONS,
    },
    async run(values, [registry], out) {
      const sign = str(values.sign);
      const name = str(values.name) as string;
      const channel = str(values.channel) ?? 'stable';
      const { from, to, manifest } = await promote({
        registry,
        name,
        version: str(values.version) as string,
        channel,
        percent: percentOption(values),
        unsigned: values.unsigned === true,
        expiresInMs: expiresOption(values),
        signingKey: sign ? readJwk(sign, '--sign', true) : undefined,
        audit: auditOption(values),
      });
      out(`${name} ${channel}: ${JSON.stringify(from ?? null)} → ${JSON.stringify(to)} (sequence ${manifest.sequence}${sign ? ', signed' : ''})`);
      return 0;
    },
  },
  history: {
    summary: 'print a model’s lineage: versions, parents, data digests, metrics, audit entries',
    synopsis: '<registryDir> --name <model>',
    help: `Each version with the channels serving it, candidate or not, its parent, the data's SHA-256,
recipe and seed, holdout metrics and gates; then the manifest's audit entries for the model.

  --name model        the model`,
    positionals: ['registryDir'],
    required: ['name'],
    options: { name: { type: 'string' } },
    async run(values, [registry], out) {
      for (const line of history(registry, str(values.name) as string)) out(line);
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
    if (positionals.length > command.positionals.length && !command.variadic)
      throw new UsageError(`unexpected argument ${JSON.stringify(positionals[command.positionals.length])}`);
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
