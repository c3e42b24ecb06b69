import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import { EdgewatchError, ErrorCode } from '../errors.ts';
import { ModelFormat } from '../registry/Manifest.ts';
import { readOnnxSignature } from './onnxSignature.ts';
import { readJsonFile } from './readJsonFile.ts';

/** One input or output tensor of a model: its name, shape (`null` for any size, e.g. the batch) and dtype. */
export interface TensorInfo {
  readonly name: string;
  readonly shape: readonly (number | null)[];
  readonly dtype: string;
}

/** A model on disk: a TF.js `model.json` and its weight files, or one `.onnx` file; and what it says about its tensors. */
export interface ModelFiles {
  readonly format: ModelFormat;
  /** Path of the model JSON file. */
  readonly path: string;
  readonly json: ModelJson;
  /** The model file first, then each weight file (plain file names next to it), with their bytes. */
  readonly files: readonly { readonly name: string; readonly bytes: Uint8Array<ArrayBuffer> }[];
  readonly inputs: readonly TensorInfo[];
  /** Known from a graph model's signature; a layers model's come from {@link modelOutputs}. */
  readonly outputs?: readonly TensorInfo[];
}

interface WeightGroup {
  readonly paths: readonly string[];
  readonly weights: readonly tfTypes.io.WeightsManifestEntry[];
}

/** The parts of a TF.js `model.json` read here. */
export interface ModelJson {
  readonly format?: string;
  readonly modelTopology?: Record<string, unknown>;
  readonly weightsManifest?: readonly WeightGroup[];
  readonly signature?: GraphSignature;
  readonly userDefinedMetadata?: { readonly signature?: GraphSignature } & Record<string, unknown>;
  readonly [key: string]: unknown;
}

type GraphTensor = {
  readonly name?: string;
  readonly dtype?: string;
  readonly tensorShape?: { readonly dim?: readonly { readonly size?: string | number }[] };
};
/** A graph node as model.json lists it: a placeholder's shape and dtype live in its attributes. */
type PlaceholderNode = {
  readonly name?: string;
  readonly op?: string;
  readonly attr?: { readonly shape?: { readonly shape?: GraphTensor['tensorShape'] }; readonly dtype?: { readonly type?: string } };
};
type GraphSignature = { readonly inputs?: Record<string, GraphTensor>; readonly outputs?: Record<string, GraphTensor> };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** TensorFlow's DT_* names → TF.js dtypes. */
const DTYPES: Readonly<Record<string, string>> = { DT_FLOAT: 'float32', DT_INT32: 'int32', DT_BOOL: 'bool', DT_STRING: 'string', DT_INT64: 'int32' };

function modelError(path: string, message: string): EdgewatchError {
  return new EdgewatchError(ErrorCode.MODEL_LOAD_FAILED, `${path}: ${message}`, { path });
}

const dims = (tensor: GraphTensor | undefined): (number | null)[] =>
  (tensor?.tensorShape?.dim ?? []).map((d) => {
    const size = Number(d.size);
    return Number.isInteger(size) && size >= 0 ? size : null;
  });

function graphTensors(entries: Record<string, GraphTensor> | undefined): TensorInfo[] | undefined {
  if (!isObject(entries)) return undefined;
  return Object.entries(entries).map(([key, t]) => ({
    name: String(t.name ?? key).replace(/:\d+$/, ''),
    shape: dims(t),
    dtype: DTYPES[t.dtype ?? ''] ?? 'float32',
  }));
}

/** A layers model's input layers, from its Keras topology (functional or sequential, old or new JSON). */
function layersInputs(topology: Record<string, unknown>): TensorInfo[] {
  const modelConfig = (isObject(topology.model_config) ? topology.model_config : topology) as Record<string, unknown>;
  const config = modelConfig.config;
  const layers = (Array.isArray(config) ? config : isObject(config) && Array.isArray(config.layers) ? config.layers : []) as Record<string, unknown>[];
  const shapeOf = (layer: Record<string, unknown>) => {
    const c = isObject(layer.config) ? layer.config : {};
    const shape = (c.batch_input_shape ?? c.batch_shape) as unknown;
    return Array.isArray(shape)
      ? {
          shape: shape.map((d) => (typeof d === 'number' ? d : null)),
          dtype: typeof c.dtype === 'string' ? c.dtype : 'float32',
          name: String(c.name ?? layer.name ?? 'input'),
        }
      : undefined;
  };
  const inputLayers = layers.filter((l) => l.class_name === 'InputLayer');
  const found = (inputLayers.length > 0 ? inputLayers : layers.slice(0, 1)).map(shapeOf).filter((t) => t !== undefined);
  return found;
}

/**
 * Reads a TF.js model from disk: `file` (default `model.json`, relative to `dir` unless absolute) and the
 * weight files its manifest names, which must be plain file names next to it (they are published flat).
 * Inputs come from a graph model's signature (or its placeholders) and a layers model's input layers.
 *
 * @throws EdgewatchError `MODEL_LOAD_FAILED` for a missing or malformed model or weight file.
 */
export function readModelFiles(dir: string, file?: string): ModelFiles {
  // An ONNX model: one self-contained .onnx file (named, or model.onnx where there is no model.json).
  const onnxPath = file === undefined && !existsSync(resolve(dir, 'model.json')) && existsSync(resolve(dir, 'model.onnx')) ? 'model.onnx' : file;
  if (onnxPath?.endsWith('.onnx')) return readOnnxFiles(resolve(dir, onnxPath));
  const path = resolve(dir, file ?? 'model.json');
  if (!existsSync(path)) throw modelError(path, 'no such model file (pass --model <file.json> for another name)');
  const json = readJsonFile(path, 'model file');
  if (!isObject(json) || !isObject(json.modelTopology)) throw modelError(path, 'not a TF.js model.json (no modelTopology)');
  const model = json as ModelJson;
  const format = model.format === 'graph-model' ? ModelFormat.graph : ModelFormat.layers;
  const groups = model.weightsManifest ?? [];
  if (!Array.isArray(groups) || groups.some((g) => !isObject(g) || !Array.isArray(g.paths) || !Array.isArray(g.weights)))
    throw modelError(path, 'weightsManifest is not a list of { paths, weights }');
  const files = [{ name: basename(path), bytes: new Uint8Array(readFileSync(path)) }];
  for (const weight of groups.flatMap((g) => g.paths)) {
    if (typeof weight !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(weight))
      throw modelError(path, `weight path ${JSON.stringify(weight)} is not a plain file name next to the model file`);
    const weightPath = resolve(dirname(path), weight);
    if (!existsSync(weightPath)) throw modelError(path, `weight file ${weight} is missing`);
    if (weight === basename(path) || files.some((f) => f.name === weight)) throw modelError(path, `weight file ${weight} is named twice`);
    files.push({ name: weight, bytes: new Uint8Array(readFileSync(weightPath)) });
  }
  const topology = model.modelTopology as Record<string, unknown>;
  const signature = model.signature ?? model.userDefinedMetadata?.signature;
  let inputs: TensorInfo[] | undefined;
  let outputs: TensorInfo[] | undefined;
  if (format === ModelFormat.graph) {
    inputs = graphTensors(signature?.inputs);
    outputs = graphTensors(signature?.outputs);
    if (!inputs) {
      const nodes = (Array.isArray(topology.node) ? topology.node : []) as PlaceholderNode[];
      inputs = nodes
        .filter((n) => n.op === 'Placeholder')
        .map((n) => ({ name: String(n.name), shape: dims({ tensorShape: n.attr?.shape?.shape }), dtype: DTYPES[n.attr?.dtype?.type ?? ''] ?? 'float32' }));
    }
  } else {
    inputs = layersInputs(topology);
  }
  return { format, path, json: model, files, inputs, ...(outputs ? { outputs } : {}) };
}

/** An ONNX model file: its bytes and the signature its protobuf declares. */
function readOnnxFiles(path: string): ModelFiles {
  if (!existsSync(path)) throw modelError(path, 'no such model file');
  const bytes = new Uint8Array(readFileSync(path));
  const { inputs, outputs } = readOnnxSignature(bytes, path);
  return { format: ModelFormat.onnx, path, json: {}, files: [{ name: basename(path), bytes }], inputs, outputs };
}

/** The elements of one example of a tensor (its shape without the batch), or NaN when a size is open. */
export function exampleSize(tensor: TensorInfo): number {
  return tensor.shape.slice(1).reduce<number>((a, d) => a * (d ?? Number.NaN), 1);
}

let tfModule: Promise<typeof tfTypes> | undefined;
/** TF.js on its CPU backend, loaded only by the commands that run a model. */
export async function tfjs(): Promise<typeof tfTypes> {
  tfModule ??= import('@tensorflow/tfjs').then(async (tf) => {
    await tf.setBackend('cpu');
    return tf;
  });
  return tfModule;
}

/** A loaded model: run it on a row-major batch. */
export interface LoadedModel {
  readonly inputs: readonly TensorInfo[];
  readonly outputs: readonly TensorInfo[];
  /** Scores of `rows` rows of `width` features each, row-major `[rows, outputWidth]`. */
  predict(features: Float32Array, rows: number, width: number): Promise<Float32Array>;
  dispose(): void;
}

/**
 * Loads the model with TF.js (CPU backend, in Node) from the bytes already read, through an in-memory IO
 * handler: nothing is fetched.
 *
 * @throws EdgewatchError `MODEL_LOAD_FAILED` when TF.js cannot build the model from its files.
 */
export async function loadModel(model: ModelFiles): Promise<LoadedModel> {
  const tf = await tfjs();
  const net = await loadNet(model);
  return wrapNet(tf, net, model);
}

/**
 * The TF.js model itself (a `LayersModel` or `GraphModel`), built from the bytes already read.
 *
 * @throws EdgewatchError `MODEL_LOAD_FAILED` when TF.js cannot build the model from its files.
 */
export async function loadNet(model: ModelFiles): Promise<tfTypes.LayersModel | tfTypes.GraphModel> {
  if (model.format === ModelFormat.onnx)
    throw modelError(model.path, 'this command runs models with TF.js in Node; an ONNX model runs in the browser (onnxruntime-web)');
  const tf = await tfjs();
  const weights = model.files.slice(1).map((f) => f.bytes);
  const weightData = new Uint8Array(weights.reduce((n, b) => n + b.byteLength, 0));
  let at = 0;
  for (const bytes of weights) {
    weightData.set(bytes, at);
    at += bytes.byteLength;
  }
  const artifacts: tfTypes.io.ModelArtifacts = {
    modelTopology: model.json.modelTopology as tfTypes.io.ModelArtifacts['modelTopology'],
    format: model.json.format,
    weightSpecs: (model.json.weightsManifest ?? []).flatMap((g) => g.weights),
    weightData: weightData.buffer,
    ...(model.json.signature ? { signature: model.json.signature as object } : {}),
    ...(model.json.userDefinedMetadata ? { userDefinedMetadata: model.json.userDefinedMetadata as never } : {}),
  };
  const handler: tfTypes.io.IOHandler = { load: async () => artifacts };
  let net: tfTypes.LayersModel | tfTypes.GraphModel;
  try {
    net = model.format === ModelFormat.graph ? await tf.loadGraphModel(handler) : await tf.loadLayersModel(handler);
  } catch (error) {
    throw new EdgewatchError(
      ErrorCode.MODEL_LOAD_FAILED,
      `${model.path}: TF.js could not load the model: ${(error as Error).message}`,
      { path: model.path },
      { cause: error },
    );
  }
  return net;
}

function wrapNet(tf: typeof tfTypes, net: tfTypes.LayersModel | tfTypes.GraphModel, model: ModelFiles): LoadedModel {
  const info = (list: readonly { name: string; shape?: readonly (number | null)[] | number[]; dtype?: string }[]): TensorInfo[] =>
    list.map((t) => ({
      name: t.name.replace(/:\d+$/, ''),
      shape: (t.shape ?? []).map((d) => (typeof d === 'number' && d >= 0 ? d : null)),
      dtype: t.dtype ?? 'float32',
    }));
  const inputs = model.inputs.length > 0 ? model.inputs : info(net.inputs as never);
  const outputs = model.outputs ?? info(net.outputs as never);
  return {
    inputs,
    outputs,
    async predict(features, rows, width) {
      // The same input shape rule as the worker: the model's own shape when its size is the feature width.
      const inner = (inputs[0]?.shape ?? []).slice(1).map((d) => d ?? Number.NaN);
      const size = inner.reduce((a, b) => a * b, 1);
      const shape = inner.length > 1 && size === width ? [rows, ...inner] : [rows, width];
      const output = tf.tidy(() => {
        const result = net.predict(tf.tensor(features.subarray(0, rows * width), shape)) as tfTypes.Tensor | tfTypes.Tensor[];
        return Array.isArray(result) ? result[0] : result;
      });
      try {
        return (await output.data()) as Float32Array;
      } finally {
        output.dispose();
      }
    },
    dispose: () => net.dispose(),
  };
}

/** The model's outputs: from its JSON when it says, else by loading it. */
export async function modelOutputs(model: ModelFiles): Promise<readonly TensorInfo[]> {
  if (model.outputs) return model.outputs;
  const loaded = await loadModel(model);
  loaded.dispose();
  return loaded.outputs;
}
