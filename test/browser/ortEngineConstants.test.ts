import { afterEach, describe, expect, it } from 'vitest';
import type { RegistryManifest } from '../../src/registry/Manifest.ts';
import { BackendName } from '../../workers/protocol.ts';
import { liveOrtSessions, type OrtModel, ortEngine } from '../../workers/engines/ortEngine.ts';

/** Silero VAD v5 from scripts/build-onnx-models.ts (global setup): `input` [batch, 512], constants `state` [2, batch, 128] and `sr` int64. */
const REGISTRY = '/bench/models/onnx/manifest.json';

const frame = (k: number) =>
  Float32Array.from({ length: 512 }, (_, t) => 0.4 * Math.sin((2 * Math.PI * (110 + 40 * k) * t) / 16000) + ((t * 7919 + k) % 97) / 970);
const batchOf = (ks: readonly number[]) => {
  const batch = new Float32Array(ks.length * 512);
  for (const [r, k] of ks.entries()) batch.set(frame(k), r * 512);
  return batch;
};

async function loadVad(): Promise<OrtModel> {
  const manifest = (await (await fetch(REGISTRY)).json()) as RegistryManifest;
  const entry = manifest.models.vad.versions['1'];
  const bytes = new Uint8Array(await (await fetch(new URL(entry.modelPath, new URL(REGISTRY, location.href)))).arrayBuffer());
  return ortEngine.load(entry, new Map([[entry.modelPath, bytes]]), BackendName.wasm, 512);
}

/** Raw ORT on this page with fresh constants each call: what the engine must answer. */
async function rawAnswers(model: OrtModel, ks: readonly number[]): Promise<number[]> {
  const { ort, session } = model;
  const rows = ks.length;
  const out = await session.run({
    input: new ort.Tensor('float32', batchOf(ks), [rows, 512]),
    state: new ort.Tensor('float32', new Float32Array(2 * rows * 128), [2, rows, 128]),
    sr: new ort.Tensor('int64', BigInt64Array.from([16000n]), []),
  });
  return Array.from(out.output.data as Float32Array);
}

const disposed = (tensor: { data: unknown }) => {
  try {
    void tensor.data;
    return false;
  } catch {
    return true;
  }
};

/** Models a test has not disposed itself (it failed first). */
const open = new Set<OrtModel>();
const dispose = (model: OrtModel) => {
  open.delete(model);
  ortEngine.dispose(model);
};
afterEach(() => {
  for (const model of open) dispose(model);
});

describe('the ORT engine reuses its constant inputs', () => {
  it('answers as raw ORT with fresh constants, call after call and for each row count (the cached state is never written)', async () => {
    const before = liveOrtSessions();
    const model = await loadVad();
    open.add(model);
    const one = await rawAnswers(model, [3]);
    const three = await rawAnswers(model, [1, 2, 5]);
    for (let round = 0; round < 3; round++) {
      const a = await ortEngine.predict(model, batchOf([3]), [1, 512]);
      const b = await ortEngine.predict(model, batchOf([1, 2, 5]), [3, 512]);
      expect(a).toHaveLength(1);
      expect(Math.max(...Array.from(a, (v, i) => Math.abs(v - one[i])))).toBeLessThanOrEqual(1e-6);
      expect(b).toHaveLength(3);
      expect(Math.max(...Array.from(b, (v, i) => Math.abs(v - three[i])))).toBeLessThanOrEqual(1e-6);
      // The scores are the caller's own buffer, whole (transferable), not a view of ORT's memory.
      expect(b.byteOffset).toBe(0);
      expect(b.buffer.byteLength).toBe(3 * 4);
    }
    expect([...model.constants.keys()].sort()).toEqual([1, 3]);
    const tensors = [...model.constants.values()].flatMap((list) => list.map(([, t]) => t));
    expect(tensors).toHaveLength(4); // state and sr, for 1 and 3 rows
    expect(tensors.some(disposed)).toBe(false);

    dispose(model);
    expect(tensors.every(disposed)).toBe(true);
    expect(model.constants.size).toBe(0);
    expect(liveOrtSessions()).toBe(before);
  });

  it('keeps at most 4 row counts, releasing the oldest; a released count is rebuilt and still answers right', async () => {
    const model = await loadVad();
    open.add(model);
    const first = await ortEngine.predict(model, batchOf([0]), [1, 512]);
    const oldest = (model.constants.get(1) ?? []).map(([, t]) => t);
    expect(oldest).toHaveLength(2);
    for (const rows of [2, 3, 4, 5]) await ortEngine.predict(model, batchOf(Array.from({ length: rows }, (_, r) => r)), [rows, 512]);
    expect([...model.constants.keys()]).toEqual([2, 3, 4, 5]);
    expect(oldest.every(disposed)).toBe(true);
    const again = await ortEngine.predict(model, batchOf([0]), [1, 512]);
    expect(Math.abs(again[0] - first[0])).toBeLessThanOrEqual(1e-6);
    expect(model.constants.size).toBe(4);
    dispose(model);
    expect(model.constants.size).toBe(0);
  });
});
