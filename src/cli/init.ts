import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EdgewatchError, ErrorCode } from '../errors.ts';
import type { FeatureSpec } from '../features/FeatureSpec.ts';
import { exampleSize, modelOutputs, readModelFiles, type TensorInfo } from './ModelFiles.ts';
import type { VersionMetadata } from './publish.ts';
import { UsageError } from './UsageError.ts';

/** Inputs of rank 2 up to this width get one named number input per column; wider or higher-rank ones are tensor inputs. */
export const MAX_TABULAR_COLUMNS = 64;

/** Options of {@link init}. */
export interface InitOptions {
  readonly modelDir: string;
  /** The model file, relative to `modelDir` unless absolute. Default `model.json`. */
  readonly modelFile?: string;
  /** Replace an existing edgewatch.json. */
  readonly force?: boolean;
}

/** A record field name from a tensor name (`input_1:0` → `input_1`). */
const fieldName = (tensor: TensorInfo) => tensor.name.replace(/:\d+$/, '').replace(/[^A-Za-z0-9_.-]/g, '_') || 'input';

/**
 * A starter feature spec for the model's one input, fitted (nothing to learn):
 * - a flat input of at most {@link MAX_TABULAR_COLUMNS} numbers (`[batch, n]`) becomes `n` number inputs
 *   `feature_0…`, each a feature of its own, so each is monitored by name;
 * - anything else (an image `[batch, 224, 224, 3]`, an embedding) is a **tensor input**: one `number[]`
 *   input named after the tensor, of the example's size, passed through unchanged — the record is
 *   `{ [name]: Float32Array }` in the tensor's row-major order, and the worker reshapes the batch to the
 *   model's input shape. (Monitoring summarises such wide inputs per row by mean and spread.)
 */
export function starterSpec(input: TensorInfo): FeatureSpec {
  const size = exampleSize(input);
  if (input.shape.length === 2 && size <= MAX_TABULAR_COLUMNS) {
    const names = Array.from({ length: size }, (_, i) => `feature_${i}`);
    return {
      schema: 'edgewatch.features/v1',
      inputs: names.map((name) => ({ name, type: 'number' as const })),
      features: names.map((name) => ({ name, input: name, steps: [] })),
      fitted: true,
    };
  }
  const name = fieldName(input);
  return {
    schema: 'edgewatch.features/v1',
    inputs: [{ name, type: 'number[]', length: size }],
    features: [{ name, input: name, steps: [{ op: 'passThrough' }] }],
    fitted: true,
  };
}

/**
 * `edgewatch init`: writes a starter `edgewatch.json` from the model's own description of its tensors
 * (a graph model's signature, a layers model's input layer; the output size, when the JSON does not say,
 * by loading the model). More than one output column: classification with placeholder labels
 * `class_0…class_{n-1}` (rename them); one: regression. Returns the metadata and where it went.
 *
 * @throws UsageError when edgewatch.json exists (unless `force`); EdgewatchError `MODEL_LOAD_FAILED`
 * when the model has no single input of a known size or no single output.
 */
export async function init(options: InitOptions): Promise<{ path: string; metadata: VersionMetadata }> {
  const path = join(options.modelDir, 'edgewatch.json');
  if (existsSync(path) && !options.force) throw new UsageError(`${path} exists; pass --force to replace it`);
  const model = readModelFiles(options.modelDir, options.modelFile);
  const fail = (message: string): never => {
    throw new EdgewatchError(ErrorCode.MODEL_LOAD_FAILED, `${model.path}: ${message}`, { path: model.path });
  };
  if (model.inputs.length !== 1) fail(`the model has ${model.inputs.length} inputs; Edgewatch feeds one tensor`);
  const input = model.inputs[0];
  if (!Number.isFinite(exampleSize(input)) || input.shape.length < 2)
    fail(`input "${input.name}" has shape [${input.shape.map((d) => d ?? '?').join(', ')}]: every size but the batch must be known`);
  const outputs = await modelOutputs(model);
  if (outputs.length !== 1) fail(`the model has ${outputs.length} outputs; Edgewatch reads one`);
  const width = exampleSize(outputs[0]);
  if (!Number.isFinite(width) || width < 1) fail(`output "${outputs[0].name}" has no known size`);
  const metadata: VersionMetadata = {
    format: model.format,
    features: starterSpec(input),
    outputs: width > 1 ? { kind: 'classification', labels: Array.from({ length: width }, (_, i) => `class_${i}`) } : { kind: 'regression', names: ['output'] },
  };
  writeFileSync(path, `${JSON.stringify(metadata, null, 2)}\n`);
  return { path, metadata };
}
