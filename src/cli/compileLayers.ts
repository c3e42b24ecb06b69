import type * as tfTypes from '@tensorflow/tfjs';
import { type ModelFiles, type ModelJson, tfjs } from './ModelFiles.ts';

/** A layers model rewritten as a fused TF.js graph model: its `model.json` and one weights file. */
export interface CompiledModel {
  readonly json: ModelJson;
  readonly weights: Uint8Array<ArrayBuffer>;
  /** What the rewrite did: BatchNorms folded, activations fused, identity layers dropped. */
  readonly stats: { readonly folded: number; readonly fused: number; readonly removed: number; readonly nodes: number };
}

/** Why a layers model was not compiled: the first layer (or construct) the compiler does not handle. */
export interface CompileRefusal {
  readonly reason: string;
  readonly layer?: string;
}

type Layer = { readonly class_name: string; readonly name: string; readonly config: Record<string, unknown>; readonly inputs: string[] };
type Attr = Record<string, unknown>;
interface GraphNode {
  readonly name: string;
  readonly op: string;
  readonly input?: string[];
  readonly attr?: Record<string, Attr>;
}

class Refused extends Error {
  constructor(
    readonly reason: string,
    readonly layer?: string,
  ) {
    super(reason);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const ints = (values: readonly number[]): Attr => ({ list: { i: values.map(String) } });
const str = (s: string): Attr => ({ s: b64(s) });
const FLOAT = { type: 'DT_FLOAT' };
/** Layers that compute nothing at inference. */
const IDENTITY = new Set(['Dropout', 'SpatialDropout1D', 'SpatialDropout2D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout', 'ActivityRegularization']);
/** Keras activation → the TF op, and whether the fused kernels take it (`fused_ops` second entry). */
const ACTIVATIONS: Readonly<Record<string, { op: string; fusable: boolean }>> = {
  relu: { op: 'Relu', fusable: true },
  relu6: { op: 'Relu6', fusable: true },
  elu: { op: 'Elu', fusable: true },
  sigmoid: { op: 'Sigmoid', fusable: true },
  tanh: { op: 'Tanh', fusable: false },
  softmax: { op: 'Softmax', fusable: false },
};

/** The layers of a Keras topology in order, each with the layers it reads (sequential: the one before). */
function readLayers(topology: Record<string, unknown>): { layers: Layer[]; outputs: string[] } {
  const modelConfig = (isObject(topology.model_config) ? topology.model_config : topology) as Record<string, unknown>;
  const config = modelConfig.config;
  const raw = (Array.isArray(config) ? config : isObject(config) && Array.isArray(config.layers) ? config.layers : undefined) as
    | Record<string, unknown>[]
    | undefined;
  if (!raw) throw new Refused('the topology lists no layers');
  const sequential = modelConfig.class_name === 'Sequential';
  const layers: Layer[] = [];
  for (const [i, l] of raw.entries()) {
    const c = isObject(l.config) ? l.config : {};
    const name = String(c.name ?? l.name ?? `layer_${i}`);
    const className = String(l.class_name);
    if (className === 'Sequential' || className === 'Model' || className === 'Functional') throw new Refused('nested models are not compiled', name);
    let inputs: string[];
    if (sequential) {
      const previous = layers.at(-1)?.name;
      inputs = previous ? [previous] : [];
      // A sequential model's first layer carries the input shape: the input is a layer of its own here.
      if (!previous && className !== 'InputLayer') {
        layers.push({ class_name: 'InputLayer', name: `${name}_input`, config: { batch_input_shape: c.batch_input_shape ?? c.batch_shape }, inputs: [] });
        inputs = [`${name}_input`];
      }
    } else {
      const nodes = l.inbound_nodes;
      if (!Array.isArray(nodes)) throw new Refused('no inbound_nodes', name);
      if (nodes.length > 1) throw new Refused('a layer applied more than once (shared layer)', name);
      inputs = ((nodes[0] ?? []) as unknown[]).map((ref) => {
        if (!Array.isArray(ref) || typeof ref[0] !== 'string' || ref[2] !== 0) throw new Refused('an inbound node this compiler does not read', name);
        return ref[0];
      });
    }
    layers.push({ class_name: className, name, config: c, inputs });
  }
  const outputs = sequential
    ? [layers.at(-1)?.name as string]
    : ((isObject(config) ? config.output_layers : []) as unknown[]).map((ref) => (Array.isArray(ref) ? String(ref[0]) : ''));
  if (outputs.length !== 1 || !outputs[0]) throw new Refused('the model must have exactly one output');
  return { layers, outputs };
}

/**
 * Compiles a TF.js layers model into a fused graph model: BatchNormalization folded into the convolution
 * or dense layer before it, the bias and a ReLU/ReLU6/ELU/sigmoid fused into `_FusedConv2D`,
 * `FusedDepthwiseConv2dNative` and `_FusedMatMul`, identity layers (Dropout, InputLayer) dropped and
 * Flatten as a Reshape. Handles Dense, Conv2D, DepthwiseConv2D, BatchNormalization, ReLU, Activation,
 * Softmax, Add, ZeroPadding2D, AveragePooling2D, MaxPooling2D, GlobalAveragePooling2D, Flatten, Dropout; anything else is a refusal (the
 * caller publishes the layers model unchanged).
 *
 * The weights are read through TF.js itself (the loaded model's layers), so the names in the file do not matter.
 */
export async function compileLayersModel(model: ModelFiles, net: tfTypes.LayersModel): Promise<CompiledModel | CompileRefusal> {
  try {
    return await compile(model, net);
  } catch (error) {
    if (error instanceof Refused) return { reason: error.reason, ...(error.layer ? { layer: error.layer } : {}) };
    throw error;
  }
}

async function compile(model: ModelFiles, net: tfTypes.LayersModel): Promise<CompiledModel> {
  await tfjs();
  const { layers, outputs } = readLayers(model.json.modelTopology as Record<string, unknown>);
  const byName = new Map(layers.map((l) => [l.name, l]));
  const consumers = new Map<string, string[]>();
  for (const l of layers) for (const input of l.inputs) consumers.set(input, [...(consumers.get(input) ?? []), l.name]);
  const soleConsumer = (name: string): Layer | undefined => {
    const list = consumers.get(name) ?? [];
    return list.length === 1 && !outputs.includes(name) ? byName.get(list[0]) : undefined;
  };

  const nodes: GraphNode[] = [];
  const weights: { name: string; shape: number[]; dtype: 'float32' | 'int32'; data: Float32Array | Int32Array }[] = [];
  const tensorOf = new Map<string, string>();
  const absorbed = new Set<string>();
  const stats = { folded: 0, fused: 0, removed: 0 };
  const names = new Set<string>();
  const unique = (base: string) => {
    let name = base.replace(/[^A-Za-z0-9_./-]/g, '_');
    for (let i = 1; names.has(name); i++) name = `${base}_${i}`;
    names.add(name);
    return name;
  };
  const constant = (base: string, shape: number[], data: Float32Array | Int32Array): string => {
    const name = unique(base);
    const dtype = data instanceof Int32Array ? 'int32' : 'float32';
    const type = dtype === 'int32' ? 'DT_INT32' : 'DT_FLOAT';
    nodes.push({
      name,
      op: 'Const',
      attr: { value: { tensor: { dtype: type, tensorShape: { dim: shape.map((d) => ({ size: String(d) })) } } }, dtype: { type } },
    });
    weights.push({ name, shape, dtype, data });
    return name;
  };
  const input = (l: Layer, i = 0): string => {
    const t = tensorOf.get(l.inputs[i]);
    if (t === undefined) throw new Refused('an input that is not computed before it', l.name);
    return t;
  };
  const emit = (name: string, op: string, inputs: string[], attr?: Record<string, Attr>): string => {
    const unique_ = unique(name);
    nodes.push({ name: unique_, op, input: inputs, ...(attr ? { attr } : {}) });
    return unique_;
  };
  const weightsOf = async (l: Layer): Promise<Float32Array[]> => {
    let layer: tfTypes.layers.Layer;
    try {
      layer = net.getLayer(l.name);
    } catch {
      throw new Refused('TF.js did not build this layer', l.name);
    }
    return Promise.all(layer.getWeights().map(async (w) => new Float32Array(await w.data())));
  };
  const rankOf = (l: Layer): number => {
    const shape = net.getLayer(l.name).outputShape;
    return Array.isArray(shape[0]) ? Number.NaN : (shape as unknown[]).length;
  };
  const activationOf = (l: Layer): string => {
    const a = l.config.activation;
    return a === undefined || a === null ? 'linear' : String(a);
  };
  const reluKind = (l: Layer): string | undefined => {
    if (l.class_name === 'Activation') return activationOf(l) === 'linear' ? undefined : activationOf(l);
    if (l.class_name !== 'ReLU') return undefined;
    const max = l.config.max_value;
    if (Number(l.config.negative_slope ?? 0) !== 0 || Number(l.config.threshold ?? 0) !== 0) return undefined;
    return max === null || max === undefined ? 'relu' : Number(max) === 6 ? 'relu6' : undefined;
  };
  const activate = (from: string, activation: string, base: string): string => {
    if (activation === 'linear') return from;
    const known = ACTIVATIONS[activation];
    if (!known) throw new Refused(`activation "${activation}" is not compiled`, base);
    return emit(`${base}/${known.op}`, known.op, [from]);
  };

  /** BatchNormalization as per-channel scale and shift, worked out in double precision. */
  const batchNorm = async (bn: Layer): Promise<{ scale: Float64Array; shift: Float64Array }> => {
    const c = bn.config;
    const axis = Array.isArray(c.axis) ? c.axis : [c.axis ?? -1];
    const rank = rankOf(bn);
    if (axis.length !== 1 || !(Number(axis[0]) === -1 || Number(axis[0]) === rank - 1))
      throw new Refused('BatchNormalization over an axis other than the last', bn.name);
    const w = await weightsOf(bn);
    let at = 0;
    const gamma = c.scale === false ? undefined : w[at++];
    const beta = c.center === false ? undefined : w[at++];
    const mean = w[at++];
    const variance = w[at++];
    if (!mean || !variance) throw new Refused('BatchNormalization without its moving statistics', bn.name);
    const eps = Number(c.epsilon ?? 1e-3);
    const scale = new Float64Array(mean.length);
    const shift = new Float64Array(mean.length);
    for (let i = 0; i < mean.length; i++) {
      scale[i] = (gamma ? gamma[i] : 1) / Math.sqrt(variance[i] + eps);
      shift[i] = (beta ? beta[i] : 0) - mean[i] * scale[i];
    }
    return { scale, shift };
  };

  /** A Dense / Conv2D / DepthwiseConv2D with what follows it folded in: BatchNorm, then an activation. */
  const linear = async (l: Layer): Promise<void> => {
    const c = l.config;
    if (c.data_format !== undefined && c.data_format !== 'channels_last') throw new Refused('channels_first data', l.name);
    const w = await weightsOf(l);
    const kernel = new Float64Array(w[0]);
    const kernelShape = [...net.getLayer(l.name).getWeights()[0].shape] as number[];
    const outChannels = l.class_name === 'DepthwiseConv2D' ? kernelShape[2] * kernelShape[3] : kernelShape[kernelShape.length - 1];
    const bias = c.use_bias === false ? new Float64Array(outChannels) : new Float64Array(w[1]);
    let activation = activationOf(l);
    let last = l;
    const chain = [l.name];
    let next = soleConsumer(last.name);
    if (activation === 'linear' && next?.class_name === 'BatchNormalization') {
      const { scale, shift } = await batchNorm(next);
      // The output channel is the kernel's last axis (depthwise: in × multiplier, flattened the same way).
      for (let i = 0; i < kernel.length; i++) kernel[i] *= scale[i % outChannels];
      for (let o = 0; o < outChannels; o++) bias[o] = bias[o] * scale[o] + shift[o];
      stats.folded++;
      last = next;
      chain.push(next.name);
      next = soleConsumer(last.name);
    }
    const nextActivation = next ? reluKind(next) : undefined;
    if (activation === 'linear' && next && nextActivation && ACTIVATIONS[nextActivation]?.fusable) {
      activation = nextActivation;
      last = next;
      chain.push(next.name);
    }
    const fusable = ACTIVATIONS[activation]?.fusable === true;
    const fusedOps = [b64('BiasAdd'), ...(fusable ? [b64(ACTIVATIONS[activation].op)] : [])];
    if (fusable) stats.fused++;
    const k = constant(`${l.name}/kernel`, kernelShape, Float32Array.from(kernel));
    const b = constant(`${l.name}/bias`, [outChannels], Float32Array.from(bias));
    const common = { fused_ops: { list: { s: fusedOps } }, num_args: { i: '1' }, epsilon: { f: 0 }, T: { type: 'DT_FLOAT' } };
    let out: string;
    if (l.class_name === 'Dense') {
      if (rankOf(l) !== 2) throw new Refused('Dense on a tensor of rank other than 2', l.name);
      out = emit(last.name, '_FusedMatMul', [input(l), k, b], { ...common, transpose_a: { b: false }, transpose_b: { b: false } });
    } else {
      const strides = (c.strides as number[] | undefined) ?? [1, 1];
      const dilation = (c.dilation_rate as number[] | number | undefined) ?? [1, 1];
      const d = Array.isArray(dilation) ? dilation : [dilation, dilation];
      if (Number(c.groups ?? 1) !== 1) throw new Refused('grouped convolution', l.name);
      const padding = String(c.padding ?? 'valid');
      if (padding !== 'same' && padding !== 'valid') throw new Refused(`padding "${padding}"`, l.name);
      out = emit(last.name, l.class_name === 'Conv2D' ? '_FusedConv2D' : 'FusedDepthwiseConv2dNative', [input(l), k, b], {
        ...common,
        strides: ints([1, strides[0], strides[1], 1]),
        dilations: ints([1, d[0], d[1], 1]),
        padding: str(padding.toUpperCase()),
        data_format: str('NHWC'),
      });
    }
    if (!fusable) out = activate(out, activation, last.name);
    for (const name of chain) {
      tensorOf.set(name, out);
      absorbed.add(name);
    }
  };

  for (const l of layers) {
    if (absorbed.has(l.name)) continue;
    const c = l.config;
    switch (l.class_name) {
      case 'InputLayer': {
        const shape = (c.batch_input_shape ?? c.batch_shape) as (number | null)[] | undefined;
        if (!Array.isArray(shape)) throw new Refused('an input without a shape', l.name);
        const name = emit(l.name, 'Placeholder', [], {
          dtype: FLOAT,
          shape: { shape: { dim: shape.map((s) => ({ size: String(s ?? -1) })) } },
        });
        tensorOf.set(l.name, name);
        break;
      }
      case 'Dense':
      case 'Conv2D':
      case 'DepthwiseConv2D':
        await linear(l);
        break;
      case 'BatchNormalization': {
        // Not after a linear layer (or after one with its own activation): a multiply and an add.
        const { scale, shift } = await batchNorm(l);
        const s = constant(`${l.name}/scale`, [scale.length], Float32Array.from(scale));
        const t = constant(`${l.name}/shift`, [shift.length], Float32Array.from(shift));
        tensorOf.set(l.name, emit(l.name, 'AddV2', [emit(`${l.name}/mul`, 'Mul', [input(l), s]), t]));
        break;
      }
      case 'ReLU':
      case 'Activation': {
        const kind = reluKind(l);
        if (l.class_name === 'ReLU' && !kind) throw new Refused('ReLU with a slope, threshold or max_value other than 6', l.name);
        tensorOf.set(l.name, kind ? activate(input(l), kind, l.name) : input(l));
        if (!kind) stats.removed++;
        break;
      }
      case 'Softmax': {
        const axis = c.axis ?? -1;
        if (!(Number(axis) === -1 || Number(axis) === rankOf(l) - 1)) throw new Refused('Softmax over an axis other than the last', l.name);
        tensorOf.set(l.name, emit(l.name, 'Softmax', [input(l)]));
        break;
      }
      case 'Add': {
        if (l.inputs.length < 2) throw new Refused('Add of fewer than two inputs', l.name);
        let sum = input(l, 0);
        for (let i = 1; i < l.inputs.length; i++) sum = emit(i === l.inputs.length - 1 ? l.name : `${l.name}/${i}`, 'AddV2', [sum, input(l, i)]);
        tensorOf.set(l.name, sum);
        break;
      }
      case 'ZeroPadding2D': {
        if (c.data_format !== undefined && c.data_format !== 'channels_last') throw new Refused('channels_first data', l.name);
        const p = c.padding;
        const pairs =
          typeof p === 'number'
            ? [
                [p, p],
                [p, p],
              ]
            : Array.isArray(p)
              ? p.map((q) => (Array.isArray(q) ? q : [q, q]))
              : undefined;
        if (pairs?.length !== 2) throw new Refused('ZeroPadding2D padding this compiler does not read', l.name);
        const paddings = constant(`${l.name}/paddings`, [4, 2], Int32Array.from([0, 0, ...pairs[0], ...pairs[1], 0, 0].map(Number)));
        tensorOf.set(l.name, emit(l.name, 'Pad', [input(l), paddings]));
        break;
      }
      case 'AveragePooling2D':
      case 'MaxPooling2D': {
        if (c.data_format !== undefined && c.data_format !== 'channels_last') throw new Refused('channels_first data', l.name);
        const pool = (c.pool_size as number[] | undefined) ?? [2, 2];
        const strides = (c.strides as number[] | null | undefined) ?? pool;
        const padding = String(c.padding ?? 'valid');
        if (padding !== 'same' && padding !== 'valid') throw new Refused(`padding "${padding}"`, l.name);
        tensorOf.set(
          l.name,
          emit(l.name, l.class_name === 'MaxPooling2D' ? 'MaxPool' : 'AvgPool', [input(l)], {
            ksize: ints([1, pool[0], pool[1], 1]),
            strides: ints([1, strides[0], strides[1], 1]),
            padding: str(padding.toUpperCase()),
            data_format: str('NHWC'),
          }),
        );
        break;
      }
      case 'GlobalAveragePooling2D': {
        if (c.data_format !== undefined && c.data_format !== 'channels_last') throw new Refused('channels_first data', l.name);
        const axes = constant(`${l.name}/axes`, [2], Int32Array.from([1, 2]));
        tensorOf.set(l.name, emit(l.name, 'Mean', [input(l), axes], { keep_dims: { b: c.keepdims === true } }));
        break;
      }
      case 'Flatten': {
        const shape = net.getLayer(l.name).outputShape as (number | null)[];
        if (shape.length !== 2 || typeof shape[1] !== 'number') throw new Refused('Flatten of an open shape', l.name);
        const target = constant(`${l.name}/shape`, [2], Int32Array.from([-1, shape[1]]));
        tensorOf.set(l.name, emit(l.name, 'Reshape', [input(l), target]));
        break;
      }
      default:
        if (!IDENTITY.has(l.class_name)) throw new Refused(`layer type ${l.class_name} is not compiled`, l.name);
        if (l.inputs.length !== 1) throw new Refused(`${l.class_name} with ${l.inputs.length} inputs`, l.name);
        tensorOf.set(l.name, input(l));
        stats.removed++;
    }
  }
  stats.removed += layers.filter((l) => l.class_name === 'InputLayer').length;

  // The output gets a node of its own, so the signature names a stable tensor.
  const outputLayer = outputs[0];
  const result = emit('Identity', 'Identity', [tensorOf.get(outputLayer) as string]);
  const placeholders = nodes.filter((n) => n.op === 'Placeholder');
  if (placeholders.length !== 1) throw new Refused(`the model has ${placeholders.length} inputs; one is compiled`);
  const inputShape = placeholders[0].attr?.shape as { shape: { dim: { size: string }[] } };
  const outputShape = net.outputs[0].shape.map((d) => ({ size: String(d ?? -1) }));

  const bytes = new Uint8Array(weights.reduce((n, w) => n + w.data.byteLength, 0));
  let at = 0;
  for (const w of weights) {
    bytes.set(new Uint8Array(w.data.buffer, w.data.byteOffset, w.data.byteLength), at);
    at += w.data.byteLength;
  }
  const json: ModelJson = {
    format: 'graph-model',
    generatedBy: 'edgewatch compile',
    convertedBy: 'edgewatch compile (from a TF.js layers model)',
    modelTopology: { node: nodes, library: {}, versions: {} },
    signature: {
      inputs: { [placeholders[0].name]: { name: `${placeholders[0].name}:0`, dtype: 'DT_FLOAT', tensorShape: inputShape.shape } },
      outputs: { [result]: { name: `${result}:0`, dtype: 'DT_FLOAT', tensorShape: { dim: outputShape } } },
    },
    weightsManifest: [{ paths: [COMPILED_WEIGHTS], weights: weights.map(({ name, shape, dtype }) => ({ name, shape, dtype })) }],
  };
  return { json, weights: bytes, stats: { ...stats, nodes: nodes.length } };
}

/** File names of a compiled model, next to the original's files in the version's directory. */
export const COMPILED_MODEL = 'model.fused.json';
export const COMPILED_WEIGHTS = 'model.fused.bin';
