import { createRequire } from 'node:module';
import { EdgewatchError, ErrorCode } from '../errors.ts';
import type { TensorInfo } from './ModelFiles.ts';

/** ONNX TensorProto.DataType → the dtype names ONNX Runtime Web uses. */
const ONNX_DTYPES: Readonly<Record<number, string>> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  12: 'uint32',
  13: 'uint64',
};

type ValueInfo = {
  name?: string;
  type?: { tensorType?: { elemType?: number; shape?: { dim?: { dimValue?: number | { toNumber(): number }; dimParam?: string }[] } } };
};
type OnnxProto = {
  onnx: {
    ModelProto: {
      decode(bytes: Uint8Array): {
        graph?: { input?: ValueInfo[]; output?: ValueInfo[]; initializer?: { name?: string }[] };
        opsetImport?: { domain?: string; version?: unknown }[];
      };
    };
  };
};

let proto: OnnxProto | undefined;
/** onnx-proto (protobufjs), loaded only when a command reads an ONNX model. */
function onnxProto(): OnnxProto {
  proto ??= createRequire(import.meta.url)('onnx-proto') as OnnxProto;
  return proto;
}

const tensorInfo = (value: ValueInfo): TensorInfo => ({
  name: String(value.name ?? ''),
  shape: (value.type?.tensorType?.shape?.dim ?? []).map((d) => {
    // A named (symbolic) or absent dimension is open; protobufjs gives int64 as a Long or a number.
    if (d.dimParam) return null;
    const size = typeof d.dimValue === 'object' && d.dimValue !== null ? d.dimValue.toNumber() : Number(d.dimValue ?? Number.NaN);
    return Number.isSafeInteger(size) && size > 0 ? size : null;
  }),
  dtype: ONNX_DTYPES[value.type?.tensorType?.elemType ?? 0] ?? 'unknown',
});

/**
 * An ONNX model's signature, read from its protobuf: the graph inputs that are not initializers (weights),
 * and the outputs, with names, shapes (`null` for a symbolic or open dimension) and dtypes.
 *
 * @throws EdgewatchError `MODEL_LOAD_FAILED` when the bytes are not an ONNX model with a graph.
 */
export function readOnnxSignature(bytes: Uint8Array, path: string): { inputs: TensorInfo[]; outputs: TensorInfo[] } {
  let model: ReturnType<OnnxProto['onnx']['ModelProto']['decode']>;
  try {
    model = onnxProto().onnx.ModelProto.decode(bytes);
  } catch (cause) {
    throw new EdgewatchError(ErrorCode.MODEL_LOAD_FAILED, `${path}: not an ONNX model (${(cause as Error).message})`, { path }, { cause });
  }
  const graph = model.graph;
  if (!graph?.output?.length) throw new EdgewatchError(ErrorCode.MODEL_LOAD_FAILED, `${path}: not an ONNX model (no graph outputs)`, { path });
  const weights = new Set((graph.initializer ?? []).map((i) => i.name));
  return {
    inputs: (graph.input ?? []).filter((i) => !weights.has(i.name)).map(tensorInfo),
    outputs: graph.output.map(tensorInfo),
  };
}
