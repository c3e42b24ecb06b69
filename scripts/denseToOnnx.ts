/**
 * Writes a TF.js Sequential model of Dense layers (relu, softmax, linear) as an ONNX model with onnx-proto
 * (protobufjs): each layer a Gemm (or MatMul + Add), then its activation. Used to publish the weather model
 * as an ONNX version of the same weights (scripts/build-onnx-models.ts).
 */
import { createRequire } from 'node:module';

/** A Dense layer's weights: kernel `[inputs, units]` row-major, bias `[units]`, and its activation. */
export interface DenseLayer {
  readonly kernel: Float32Array;
  readonly bias: Float32Array;
  readonly inputs: number;
  readonly units: number;
  readonly activation: 'relu' | 'softmax' | 'linear';
}

/** How the graph is written. */
export interface DenseToOnnxOptions {
  /** A fixed batch size (the input's first dimension); default a symbolic `batch`. */
  readonly batch?: number;
  /** `gemm` (default) or `matmul` (MatMul + Add). */
  readonly ops?: 'gemm' | 'matmul';
  /** Split the input into named inputs of these widths, concatenated in the graph (a multi-input model). */
  readonly inputs?: readonly { readonly name: string; readonly width: number }[];
  /** Also output the last layer's pre-activation values as `logits` (a multi-output model). */
  readonly logits?: boolean;
}

// biome-ignore lint/suspicious/noExplicitAny: onnx-proto's generated classes, used for their create/encode only
type Proto = any;
const { onnx } = createRequire(import.meta.url)('onnx-proto') as { onnx: Proto };
const FLOAT = 1;

const valueInfo = (name: string, dims: readonly (number | string)[]) =>
  onnx.ValueInfoProto.create({
    name,
    type: { tensorType: { elemType: FLOAT, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  });

const initializer = (name: string, dims: readonly number[], values: Float32Array) =>
  onnx.TensorProto.create({
    name,
    dims: [...dims],
    dataType: FLOAT,
    rawData: new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength)),
  });

const node = (opType: string, input: string[], output: string[], attribute: Proto[] = []) =>
  onnx.NodeProto.create({ opType, input, output, name: `${opType}_${output[0]}`, attribute });

/** The ONNX bytes of `layers` (opset 13, IR 7: what ONNX Runtime Web 1.x loads). */
export function denseToOnnx(layers: readonly DenseLayer[], options: DenseToOnnxOptions = {}): Uint8Array {
  const batch = options.batch ?? 'batch';
  const nodes: Proto[] = [];
  const inits: Proto[] = [];
  let x = 'features';
  const graphInputs = (options.inputs ?? [{ name: 'features', width: layers[0].inputs }]).map((i) => valueInfo(i.name, [batch, i.width]));
  if (options.inputs && options.inputs.length > 1) {
    nodes.push(
      node(
        'Concat',
        options.inputs.map((i) => i.name),
        [x],
        [onnx.AttributeProto.create({ name: 'axis', type: 2, i: 1 })],
      ),
    );
  } else if (options.inputs) {
    x = options.inputs[0].name;
  }
  layers.forEach((layer, i) => {
    const w = `dense${i}_kernel`;
    const b = `dense${i}_bias`;
    inits.push(initializer(w, [layer.inputs, layer.units], layer.kernel), initializer(b, [layer.units], layer.bias));
    const pre = `dense${i}_linear`;
    if (options.ops === 'matmul') {
      nodes.push(node('MatMul', [x, w], [`dense${i}_matmul`]), node('Add', [`dense${i}_matmul`, b], [pre]));
    } else {
      nodes.push(node('Gemm', [x, w, b], [pre]));
    }
    const last = i === layers.length - 1;
    const out = last ? 'probabilities' : `dense${i}_out`;
    if (layer.activation === 'relu') nodes.push(node('Relu', [pre], [out]));
    else if (layer.activation === 'softmax') nodes.push(node('Softmax', [pre], [out], [onnx.AttributeProto.create({ name: 'axis', type: 2, i: -1 })]));
    else nodes.push(node('Identity', [pre], [out]));
    x = out;
  });
  const units = layers[layers.length - 1].units;
  const outputs = [valueInfo('probabilities', [batch, units])];
  if (options.logits) {
    nodes.push(node('Identity', [`dense${layers.length - 1}_linear`], ['logits']));
    outputs.unshift(valueInfo('logits', [batch, units]));
  }
  const model = onnx.ModelProto.create({
    irVersion: 7,
    producerName: 'edgewatch scripts/denseToOnnx.ts',
    opsetImport: [{ domain: '', version: 13 }],
    graph: onnx.GraphProto.create({ name: 'dense', node: nodes, initializer: inits, input: graphInputs, output: outputs }),
  });
  return onnx.ModelProto.encode(model).finish() as Uint8Array;
}

/** The Dense layers of a TF.js layers `model.json` and its weight bytes (one float32 shard, as the weather model). */
export function denseLayersOf(
  modelJson: { modelTopology: unknown; weightsManifest: { weights: { name: string; shape: number[] }[] }[] },
  weights: Uint8Array,
): DenseLayer[] {
  const topology = modelJson.modelTopology as { config: { layers: { class_name: string; config: { name: string; activation: string } }[] } };
  const specs = modelJson.weightsManifest.flatMap((g) => g.weights);
  const values = new Map<string, Float32Array>();
  let at = 0;
  const buffer = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength);
  for (const spec of specs) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    values.set(spec.name, new Float32Array(buffer, at, size));
    at += size * 4;
  }
  return topology.config.layers.map((layer) => {
    if (layer.class_name !== 'Dense') throw new Error(`denseToOnnx: ${layer.class_name} layers are not supported`);
    const name = layer.config.name;
    const shape = specs.find((s) => s.name === `${name}/kernel`)?.shape as number[];
    const activation = layer.config.activation;
    if (activation !== 'relu' && activation !== 'softmax' && activation !== 'linear') throw new Error(`denseToOnnx: activation ${activation}`);
    return {
      kernel: values.get(`${name}/kernel`) as Float32Array,
      bias: values.get(`${name}/bias`) as Float32Array,
      inputs: shape[0],
      units: shape[1],
      activation,
    };
  });
}
