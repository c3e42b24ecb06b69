/**
 * The ONNX Runtime Web engine: `.onnx` models on ORT's wasm execution provider, or its WebGPU one. ORT is
 * imported on the first ONNX load, never before: a worker serving only TF.js models never downloads it.
 */
import type * as Ort from 'onnxruntime-web';
import { EdgewatchError, ErrorCode } from '../../src/errors.ts';
import { hasWebGPU } from '../../src/env.ts';
import { ModelFormat, type ModelVersion, type OnnxInput } from '../../src/registry/Manifest.ts';
import { BackendName, type BackendPreference, type WasmPaths } from '../protocol.ts';
import { threadCount } from '../threadCount.ts';
import { type Engine, type EngineModel, EngineName, type TensorSignature } from './Engine.ts';

type OrtModule = typeof Ort;

/** Binds one model input per call: from feature columns `[from, from + columns)`, or a constant. */
type Feed =
  | { readonly kind: 'columns'; readonly name: string; readonly from: number; readonly columns: number; readonly example: readonly number[] }
  | { readonly kind: 'constant'; readonly name: string; readonly input: Extract<OnnxInput, { dtype: string }> };

/** An ORT session with its signature and how its inputs are fed. */
export interface OrtModel extends EngineModel {
  readonly ort: OrtModule;
  readonly session: Ort.InferenceSession;
  readonly feeds: readonly Feed[];
  /** The output read as the scores. */
  readonly output: string;
  /** WebGPU EP: its device's `lost` promise. */
  readonly lost?: Promise<unknown>;
  /**
   * The constant inputs' tensors by row count, built on first use and reused by every later call of that
   * many rows (ORT copies a CPU tensor's data in at each run and never writes it); released on dispose.
   */
  readonly constants: Map<number, readonly (readonly [string, Ort.Tensor])[]>;
}

/** Row counts whose constant tensors are kept; a batch of another size replaces the oldest. */
const CONSTANT_ROW_COUNTS = 4;

const BUILD_FILE = { wasm: 'ort-wasm-simd-threaded.wasm', webgpu: 'ort-wasm-simd-threaded.asyncify.wasm' } as const;
const modules: Partial<Record<'wasm' | 'webgpu', Promise<OrtModule>>> = {};
let pathsOption: WasmPaths | undefined;
let live = 0;

/** Where ORT's wasm binaries are served: the runtime's `wasmPaths` (a prefix, or URLs by file name); before ORT first starts. */
export function configureOrtWasmPaths(paths: WasmPaths | undefined): void {
  pathsOption = paths;
}

let started: OrtModule | undefined;
let wantedThreads: number | undefined;

/**
 * Threads ORT's wasm starts with (`ort.env.wasm.numThreads`, read once, at its first session); undefined:
 * ORT's own default (half the cores, at most 4, where the page is cross-origin isolated; else 1). ORT
 * itself runs 1 where threads cannot run, and {@link ortThreads} then says 1.
 */
export function configureOrtThreads(threads: number | undefined): void {
  wantedThreads = threadCount(threads);
}

/** Threads ORT's wasm runs, once its first session started it (ORT sizes its pool then); undefined before. */
export function ortThreads(): number | undefined {
  const threads = started?.env.wasm.numThreads;
  return typeof threads === 'number' && threads > 0 ? threads : undefined;
}

/** Sessions created and not yet released (leak checks). */
export function liveOrtSessions(): number {
  return live;
}

/** ORT's wasm-only build, or the one with the WebGPU EP (a larger binary), imported once each. */
function ortFor(backend: 'wasm' | 'webgpu'): Promise<OrtModule> {
  modules[backend] ??= (async () => {
    const [ort, { defaultOrtWasmPaths }] = await Promise.all([
      backend === 'webgpu' ? import('onnxruntime-web/webgpu') : import('onnxruntime-web/wasm'),
      import('./ortWasmPaths.ts'),
    ]);
    const file = BUILD_FILE[backend];
    const paths = pathsOption ?? defaultOrtWasmPaths();
    const wasm = typeof paths === 'string' ? `${paths}${file}` : (paths[file] ?? defaultOrtWasmPaths()[file]);
    // The glue (.mjs) is inside the bundled build; only the binary is fetched. Already in a worker: no proxy.
    ort.env.wasm.wasmPaths = { wasm };
    ort.env.wasm.proxy = false;
    if (wantedThreads !== undefined) ort.env.wasm.numThreads = wantedThreads;
    started = ort;
    return ort;
  })().catch((error) => {
    delete modules[backend];
    throw error;
  });
  return modules[backend] as Promise<OrtModule>;
}

let deviceFound: (lost: Promise<unknown>) => void = () => undefined;
/** The `lost` promise of the device ORT's WebGPU EP runs on, once a session has been created on it. */
const deviceLostPromise = new Promise<Promise<unknown>>((resolve) => (deviceFound = resolve));

/** Resolves when the GPU device of ORT's WebGPU EP is lost (never, before a WebGPU session exists). */
export async function ortDeviceLost(): Promise<void> {
  await await deviceLostPromise;
}

/**
 * The ORT backend a preference gives: `'auto'` is wasm (on a software WebGPU adapter ORT's WebGPU EP is
 * 20–130× slower), a list its first entry ORT has and this browser can start.
 *
 * @throws EdgewatchError `BACKEND_UNAVAILABLE` when the list names none ORT runs on, with every reason.
 */
export async function startOrt(preference: BackendPreference): Promise<{ name: BackendName; failed: Partial<Record<BackendName, string>> }> {
  const order: readonly BackendName[] = preference === 'auto' ? [BackendName.wasm] : preference;
  const failed: Partial<Record<BackendName, string>> = {};
  for (const name of order) {
    if (name !== BackendName.wasm && name !== BackendName.webgpu) {
      failed[name] = 'onnxruntime-web runs on wasm or webgpu';
      continue;
    }
    if (name === BackendName.webgpu && !hasWebGPU()) {
      failed[name] = 'navigator.gpu is missing';
      continue;
    }
    if (typeof WebAssembly !== 'object') {
      failed[name] = 'WebAssembly is not available';
      continue;
    }
    try {
      await ortFor(name);
      return { name, failed };
    } catch (error) {
      failed[name] = String(error);
    }
  }
  throw new EdgewatchError(ErrorCode.BACKEND_UNAVAILABLE, `onnxruntime-web could not start (tried ${order.join(', ')})`, { failed });
}

const signatureOf = (list: readonly Ort.InferenceSession.ValueMetadata[]): TensorSignature[] =>
  list.map((v) => ({
    name: v.name,
    // A symbolic dimension is a string; an unnamed one may come as -1 or 2³²−1.
    shape: v.isTensor ? v.shape.map((d) => (typeof d === 'number' && d > 0 && d < 2 ** 31 ? d : null)) : [],
    dtype: v.isTensor ? v.type : 'non-tensor',
  }));

function loadError(entry: ModelVersion, message: string, details: Record<string, unknown> = {}): EdgewatchError {
  return new EdgewatchError(ErrorCode.MODEL_LOAD_FAILED, `${entry.modelPath}: ${message}`, { path: entry.modelPath, ...details });
}

/**
 * How the manifest's binding (or, without one, the model's single input) maps the feature row onto the
 * model's named inputs. The feature inputs come first in the signature the session reads.
 */
function bind(entry: ModelVersion, inputs: readonly TensorSignature[], width: number): { feeds: Feed[]; ordered: TensorSignature[] } {
  const declared = entry.onnx?.inputs ?? (inputs.length === 1 ? [{ name: inputs[0].name }] : undefined);
  if (!declared) throw loadError(entry, `the model has ${inputs.length} inputs (${inputs.map((i) => i.name).join(', ')}): onnx.inputs must bind each`);
  const bound = new Set(declared.map((d) => d.name));
  const missing = inputs.filter((i) => !bound.has(i.name));
  if (missing.length > 0) throw loadError(entry, `onnx.inputs binds no value to ${missing.map((m) => `"${m.name}"`).join(', ')}`);
  const feeds: Feed[] = [];
  let from = 0;
  const featureInputs = declared.filter((d) => !('dtype' in d));
  for (const input of declared) {
    const model = inputs.find((i) => i.name === input.name);
    if (!model) throw loadError(entry, `onnx.inputs names "${input.name}", which the model does not have`, { input: input.name });
    if ('dtype' in input) {
      feeds.push({ kind: 'constant', name: input.name, input });
      continue;
    }
    const columns =
      input.columns ?? width - from - featureInputs.slice(featureInputs.indexOf(input) + 1).reduce((n, d) => n + ('columns' in d ? (d.columns ?? 0) : 0), 0);
    // The model's own example shape when its size is the columns (e.g. [224, 224, 3]), else flat.
    const inner = model.shape.slice(1);
    const example =
      inner.length > 1 && inner.every((d) => d !== null) && inner.reduce((a, b) => (a as number) * (b as number), 1) === columns
        ? (inner as number[])
        : [columns];
    feeds.push({ kind: 'columns', name: input.name, from, columns, example });
    from += columns;
  }
  if (from !== width) throw loadError(entry, `onnx.inputs take ${from} feature columns, the feature spec makes ${width}`, { width, bound: from });
  const byFeedOrder = (name: string) => feeds.findIndex((f) => f.name === name && f.kind === 'columns');
  const ordered = [...inputs].sort((a, b) => (byFeedOrder(a.name) < 0 ? 1e9 : byFeedOrder(a.name)) - (byFeedOrder(b.name) < 0 ? 1e9 : byFeedOrder(b.name)));
  return { feeds, ordered };
}

function constantTensor(ort: OrtModule, input: Extract<OnnxInput, { dtype: string }>, rows: number): Ort.Tensor {
  const dims = input.shape.map((d) => (d === 'batch' ? rows : d));
  const size = dims.reduce((a, b) => a * b, 1);
  if (input.dtype === 'int64') return new ort.Tensor('int64', new BigInt64Array(size).fill(BigInt(input.value)), dims);
  if (input.dtype === 'int32') return new ort.Tensor('int32', new Int32Array(size).fill(input.value), dims);
  return new ort.Tensor('float32', new Float32Array(size).fill(input.value), dims);
}

/** The constant inputs' tensors for batches of `rows` rows, made once per row count (at most {@link CONSTANT_ROW_COUNTS} kept). */
function constantsFor(model: OrtModel, rows: number): readonly (readonly [string, Ort.Tensor])[] {
  let list = model.constants.get(rows);
  if (list) return list;
  list = model.feeds.flatMap((feed) => (feed.kind === 'constant' ? [[feed.name, constantTensor(model.ort, feed.input, rows)] as const] : []));
  if (model.constants.size >= CONSTANT_ROW_COUNTS) {
    const [oldest, tensors] = model.constants.entries().next().value as [number, readonly (readonly [string, Ort.Tensor])[]];
    model.constants.delete(oldest);
    for (const [, tensor] of tensors) tensor.dispose();
  }
  model.constants.set(rows, list);
  return list;
}

/** The ONNX Runtime Web engine. */
export const ortEngine: Engine<OrtModel> = {
  name: EngineName.ort,
  formats: [ModelFormat.onnx],
  backends: [BackendName.wasm, BackendName.webgpu],

  async load(entry, files, backend, width) {
    if (backend !== BackendName.wasm && backend !== BackendName.webgpu) throw loadError(entry, `onnxruntime-web does not run on ${backend}`);
    const bytes = files.get(entry.modelPath);
    if (!bytes) throw loadError(entry, "not among the version's artifacts");
    const ort = await ortFor(backend);
    let session: Ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(bytes, { executionProviders: [backend], graphOptimizationLevel: 'all' });
    } catch (cause) {
      throw new EdgewatchError(
        ErrorCode.MODEL_LOAD_FAILED,
        `${entry.modelPath}: onnxruntime-web could not load it: ${String(cause)}`,
        { path: entry.modelPath },
        { cause },
      );
    }
    live++;
    try {
      const inputs = signatureOf(session.inputMetadata);
      const outputs = signatureOf(session.outputMetadata);
      const output = entry.onnx?.output ?? outputs[0]?.name;
      if (!outputs.some((o) => o.name === output)) throw loadError(entry, `the model has no output "${output}"`, { output });
      const { feeds, ordered } = bind(entry, inputs, width);
      // The EP's device exists once a session does: asked earlier, ORT would make another.
      const device = backend === BackendName.webgpu ? ((await ort.env.webgpu.device) as { lost?: Promise<unknown> } | undefined) : undefined;
      if (device?.lost) deviceFound(device.lost);
      return {
        ort,
        session,
        feeds,
        lost: device?.lost,
        output: output as string,
        constants: new Map(),
        inputs: ordered,
        outputs: [...outputs].sort((a, b) => Number(b.name === output) - Number(a.name === output)),
      };
    } catch (error) {
      live--;
      session.release().catch(() => undefined);
      throw error;
    }
  },

  async predict(model, batch, shape) {
    const { ort, session, feeds, output } = model;
    const rows = shape[0];
    const width = batch.length / rows;
    const tensors: Record<string, Ort.Tensor> = {};
    // Only the tensors made for this call are released after it; the constants stay for the next.
    const made: Ort.Tensor[] = [];
    for (const feed of feeds) {
      if (feed.kind === 'constant') continue;
      let data = batch;
      if (feed.columns !== width) {
        // Several feature inputs: this one's columns, copied out of each row.
        data = new Float32Array(rows * feed.columns);
        for (let r = 0; r < rows; r++) data.set(batch.subarray(r * width + feed.from, r * width + feed.from + feed.columns), r * feed.columns);
      }
      const tensor = new ort.Tensor('float32', data, [rows, ...feed.example]);
      tensors[feed.name] = tensor;
      made.push(tensor);
    }
    for (const [name, tensor] of constantsFor(model, rows)) tensors[name] = tensor;
    let scores: Ort.Tensor | undefined;
    try {
      try {
        // Only the output read: ORT copies every fetched output out of its heap (the VAD's state, 256 floats, for nothing).
        scores = (await session.run(tensors, [output]))[output] as Ort.Tensor;
      } catch (error) {
        // A run that failed as the GPU device went: the loss is reported once `lost` settles, and the
        // worker then runs the batch again elsewhere; give it a moment to be noticed first.
        if (model.lost) await Promise.race([model.lost, new Promise((resolve) => setTimeout(resolve, 1000))]);
        throw error;
      }
      const data = scores.data;
      // A fresh Float32Array the caller may transfer: a view of shared memory, or another dtype, is copied.
      if (data instanceof Float32Array && data.byteOffset === 0 && data.buffer.byteLength === data.byteLength) return data;
      return Float32Array.from(data as ArrayLike<number>, Number);
    } finally {
      for (const tensor of made) tensor.dispose();
      scores?.dispose();
    }
  },

  dispose(model) {
    live--;
    for (const list of model.constants.values()) for (const [, tensor] of list) tensor.dispose();
    model.constants.clear();
    // A session on a lost GPU device may fail to release: its memory went with the device.
    model.session.release().catch(() => undefined);
  },
};
