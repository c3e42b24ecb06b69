import { describe, expect, it } from 'vitest';
import { ModelMonitor, type MonitoredVersion } from '../../../src/monitor/ModelMonitor.ts';
import { sketchLayout } from '../../../src/monitor/WindowSketch.ts';
import { EdgewatchError } from '../../../src/errors.ts';

const v: MonitoredVersion = {
  model: 'm',
  version: '1',
  layout: sketchLayout(['x'], { kind: 'classification', labels: ['a', 'b'] }),
};
const noStorage = async () => {
  throw new Error('storage down');
};

describe('ModelMonitor (no storage involved)', () => {
  it('joins labels with kept predictions, forgets the oldest past the bound, and counts unmatched labels', () => {
    const monitor = new ModelMonitor(noStorage as never, { maxRecent: 4 });
    const scores = Float32Array.of(0.9, 0.1, 0.2, 0.8);
    const id = (seq: number, row: number) => `${monitor.batchId(seq)}:${row}`;
    monitor.remember(v, 0, scores, 2);
    monitor.remember(v, 1, scores, 2);
    monitor.remember(v, 2, scores, 2); // 6 rows kept > 4: batch 0 goes
    expect(monitor.feedback(id(0, 0), 'a', v)).toEqual({ matched: false, drift: [] });
    expect(monitor.feedback(id(1, 0), 'a', v)).toMatchObject({ matched: true, correct: true, version: '1' });
    expect(monitor.feedback(id(2, 1), 0, v)).toMatchObject({ matched: true, correct: false });
    expect(monitor.feedback(id(2, 7), 'a', v).matched).toBe(false);
    // another worker's id, or no id at all, is never joined
    expect(monitor.feedback(`${new ModelMonitor(noStorage as never, { idBase: 'other' }).batchId(1)}:0`, 'a', v).matched).toBe(false);
    expect(monitor.feedback('nonsense', 'a', v).matched).toBe(false);
    expect(() => monitor.feedback(id(1, 1), 'c', v)).toThrow(EdgewatchError);
    const q = monitor.window(v).quality.toJSON();
    expect(q).toMatchObject({ labelled: 2, unmatched: 4 });
  });

  it('forgets predictions older than maxRecentAgeMs', () => {
    let now = 0;
    const monitor = new ModelMonitor(noStorage as never, { maxRecentAgeMs: 1000, now: () => now });
    monitor.remember(v, 0, Float32Array.of(1, 0), 2);
    now = 5000;
    monitor.remember(v, 1, Float32Array.of(1, 0), 2);
    expect(monitor.feedback(`${monitor.batchId(0)}:0`, 'a').matched).toBe(false);
    expect(monitor.feedback(`${monitor.batchId(1)}:0`, 'a').matched).toBe(true);
  });

  it('a worker taking over adopts the recent predictions of the one it replaced: their labels join it, in the window they were made in', () => {
    let now = 10_000;
    const oldWorker = new ModelMonitor(noStorage as never, { idBase: 'aaaa', windowMs: 1000, now: () => now });
    const other: MonitoredVersion = { ...v, version: '0' };
    oldWorker.remember(v, 0, Float32Array.of(0.9, 0.1, 0.2, 0.8), 2);
    oldWorker.remember(other, 1, Float32Array.of(0.3, 0.7), 2);
    oldWorker.remember(v, 2, Float32Array.of(0.6, 0.4), 2);
    const exported = oldWorker.exportRecent();
    expect(exported).toHaveLength(1);
    expect(exported[0]).toMatchObject({
      base: 'aaaa',
      versions: [
        { model: 'm', version: '1' },
        { model: 'm', version: '0' },
      ],
    });
    expect([Array.from(exported[0].seqs), Array.from(exported[0].rows), Array.from(exported[0].versionIndex)]).toEqual([
      [0, 1, 2],
      [2, 1, 1],
      [0, 1, 0],
    ]);
    now = 12_500; // two windows later
    const serving: MonitoredVersion = { ...v };
    const next = new ModelMonitor(noStorage as never, { idBase: 'bbbb', windowMs: 1000, now: () => now });
    // version 0 is not loaded in the new worker: its batch is left out
    expect(next.adoptRecent(exported, (model, version) => (model === 'm' && version === '1' ? serving : undefined))).toBe(3);
    const id = (seq: number, row: number) => `${oldWorker.batchId(seq)}:${row}`;
    expect(next.feedback(id(0, 0), 'a', serving)).toMatchObject({ matched: true, correct: true, version: '1' });
    expect(next.feedback(id(0, 1), 'a', serving)).toMatchObject({ matched: true, correct: false });
    expect(next.feedback(id(2, 0), 'b', serving)).toMatchObject({ matched: true, correct: false });
    expect(next.feedback(id(1, 0), 'b', serving).matched).toBe(false);
    // the labels land in the window the predictions were made in (10,000), not the current one
    expect(next.window(serving, 10_000).quality.toJSON()).toMatchObject({ labelled: 3 });
    expect(next.window(serving, 12_000).quality.toJSON()).toMatchObject({ unmatched: 1 });
    // a second handoff passes the adopted predictions on, beside its own
    next.remember(serving, 0, Float32Array.of(0.1, 0.9), 2);
    const third = new ModelMonitor(noStorage as never, { idBase: 'cccc', windowMs: 1000, now: () => now });
    expect(third.adoptRecent(next.exportRecent(), () => serving)).toBe(4);
    expect(third.feedback(id(0, 0), 'a', serving).matched).toBe(true);
    expect(third.feedback(`${next.batchId(0)}:0`, 'b', serving)).toMatchObject({ matched: true, correct: true });
  });

  it('adopts batches whose numbers are far apart (they would share a slot in a ring sized by rows alone)', () => {
    const oldWorker = new ModelMonitor(noStorage as never, { idBase: 'aaaa' });
    for (const seq of [0, 16, 32, 48]) oldWorker.remember(v, seq, Float32Array.of(0.9, 0.1), 2);
    const next = new ModelMonitor(noStorage as never, { idBase: 'bbbb' });
    expect(next.adoptRecent(oldWorker.exportRecent(), () => v)).toBe(4);
    for (const seq of [0, 16, 32, 48]) expect(next.feedback(`${oldWorker.batchId(seq)}:0`, 'a', v)).toMatchObject({ matched: true, correct: true });
  });

  it('refuses adopted predictions that do not add up, that claim its own ids, or that are older than its bound', () => {
    let now = 0;
    const oldWorker = new ModelMonitor(noStorage as never, { idBase: 'aaaa', now: () => now });
    oldWorker.remember(v, 0, Float32Array.of(0.9, 0.1), 2);
    oldWorker.remember(v, 1, Float32Array.of(0.9, 0.1), 2);
    const [good] = oldWorker.exportRecent();
    const next = new ModelMonitor(noStorage as never, { idBase: 'bbbb', maxRecentAgeMs: 1000, now: () => now });
    const all = () => v;
    // scores shorter than the batches say: the export is refused whole
    expect(next.adoptRecent([{ ...good, scores: good.scores.subarray(0, 3) }], all)).toBe(0);
    expect(next.feedback(`${oldWorker.batchId(0)}:0`, 'a', v).matched).toBe(false);
    // a base of its own: ids of this worker are never answered from another's predictions
    expect(next.adoptRecent([{ ...good, base: 'bbbb' }], all)).toBe(0);
    expect(next.feedback(`${next.batchId(0)}:0`, 'a', v).matched).toBe(false);
    const bad: unknown[] = [
      { ...good, scores: [0.9, 0.1, 0.9, 0.1] },
      { ...good, seqs: [0, 1] },
      { ...good, rows: Int32Array.of(1) },
      { ...good, rows: Int32Array.of(-1, 3) },
      { ...good, widths: Int32Array.of(0, 2) },
      { ...good, seqs: Float64Array.of(0.5, 1) },
      { ...good, versionIndex: Int32Array.of(0, 1) },
      { ...good, versions: 'x' },
      null,
    ];
    for (const e of bad) expect(new ModelMonitor(noStorage as never, { idBase: 'cccc' }).adoptRecent([e as never], all)).toBe(0);
    // the unchanged export is taken
    expect(next.adoptRecent([good], all)).toBe(2);
    now = 5000;
    expect(new ModelMonitor(noStorage as never, { idBase: 'dddd', maxRecentAgeMs: 1000, now: () => now }).adoptRecent([good], all)).toBe(0);
    // without sketches nothing is joined, so nothing is adopted
    expect(new ModelMonitor(noStorage as never, { idBase: 'eeee', sketches: false }).adoptRecent([good], all)).toBe(0);
  });

  it('a second label for a prediction is a duplicate: not counted, nor by the detectors, here or after a handoff; the ids kept are bounded', () => {
    const oldWorker = new ModelMonitor(noStorage as never, { idBase: 'aaaa', maxRecent: 3 });
    const id = (seq: number, row = 0) => `${oldWorker.batchId(seq)}:${row}`;
    oldWorker.remember(v, 0, Float32Array.of(0.9, 0.1), 2);
    oldWorker.remember(v, 1, Float32Array.of(0.9, 0.1), 2);
    expect(oldWorker.feedback(id(0), 'a', v)).toMatchObject({ matched: true, correct: true });
    // sent again (a retry), or with another label: the first one stands
    expect(oldWorker.feedback(id(0), 'a', v)).toEqual({ matched: true, version: '1', drift: [], duplicate: true });
    expect(oldWorker.feedback(id(0), 'b', v)).toMatchObject({ duplicate: true });
    // a label the model does not know is refused (typed) all the same
    expect(() => oldWorker.feedback(id(0), 'c', v)).toThrow(EdgewatchError);
    expect(oldWorker.window(v).quality.toJSON()).toMatchObject({ labelled: 1, correct: 1 });
    expect(oldWorker.feedback(id(1), 'b', v)).toMatchObject({ matched: true, correct: false });
    expect(oldWorker.feedback(id(1), 'b', v).duplicate).toBe(true);
    expect(oldWorker.window(v).quality.toJSON()).toMatchObject({ labelled: 2, correct: 1 });
    // The change detectors saw each prediction once: two errors' worth of values, not four.
    expect((oldWorker.conceptDrift(v) as unknown as { t: number }).t).toBe(2);
    // After a handoff, a label sent again is still a duplicate in the new worker.
    const next = new ModelMonitor(noStorage as never, { idBase: 'bbbb', maxRecent: 3 });
    expect(next.adoptRecent(oldWorker.exportRecent(), () => v)).toBe(2);
    expect(oldWorker.exportLabelled().split('\n')).toEqual([id(0), id(1)]);
    expect(next.adoptLabelled(oldWorker.exportLabelled())).toBe(2);
    expect(next.feedback(id(0), 'a', v).duplicate).toBe(true);
    expect(next.window(v).quality.toJSON().labelled ?? 0).toBe(0);
    // Anything else handed over is ignored: not a string, or lines that are no prediction ids.
    for (const bad of [undefined, 42, ['x'], 'nonsense\n\nb-:1', ''])
      expect(new ModelMonitor(noStorage as never, { idBase: 'cccc' }).adoptLabelled(bad)).toBe(0);
    // At most as many ids as predictions are kept (maxRecent): the oldest go first.
    for (let seq = 2; seq < 6; seq++) {
      oldWorker.remember(v, seq, Float32Array.of(0.9, 0.1), 2);
      oldWorker.feedback(id(seq), 'a', v);
    }
    expect(oldWorker.exportLabelled().split('\n')).toEqual([id(3), id(4), id(5)]);
  });

  it("hands each version's change detectors over: the new worker fires on the label where one worker would have", () => {
    // A classifier right 90 % of the time, then wrong half the time from label 1000 on.
    const outcomes = Array.from({ length: 2000 }, (_, i) => (i < 1000 ? i % 10 === 0 : i % 2 === 0));
    const label = (wrong: boolean) => (wrong ? 'b' : 'a'); // every prediction says 'a'
    const feed = (monitor: ModelMonitor, from: number, to: number, fired: number[]) => {
      for (let i = from; i < to; i++) {
        monitor.remember(v, i, Float32Array.of(0.9, 0.1), 2);
        if (monitor.feedback(`${monitor.batchId(i)}:0`, label(outcomes[i]), v).drift.includes('concept')) fired.push(i);
      }
    };
    const alone: number[] = [];
    feed(new ModelMonitor(noStorage as never, { idBase: 'aaaa' }), 0, 2000, alone);
    // the verdict comes after the handoff at label 1030 (Page-Hinkley voted before it, DDM after)
    expect(alone[0]).toBeGreaterThan(1030);
    const handedOver: number[] = [];
    const oldWorker = new ModelMonitor(noStorage as never, { idBase: 'aaaa' });
    feed(oldWorker, 0, 1030, handedOver);
    const exported = oldWorker.exportDetectors();
    expect(exported.map((e) => [e.model, e.version])).toEqual([['m', '1']]);
    const next = new ModelMonitor(noStorage as never, { idBase: 'bbbb' });
    expect(next.adoptDetectors(structuredClone(exported), (model, version) => (model === 'm' && version === '1' ? v : undefined))).toBe(1);
    feed(next, 1030, 2000, handedOver);
    expect(handedOver).toEqual(alone);
    // Starting afresh at label 1030 (after this change began), the detectors met a steady 50 % error rate: no change, ever.
    const fresh: number[] = [];
    feed(new ModelMonitor(noStorage as never, { idBase: 'cccc' }), 1030, 2000, fresh);
    expect(fresh).toEqual([]);
    // Versions not serving here, garbage, a broken state and a version with detectors of its own are left out.
    const all = () => v;
    for (const bad of [undefined, 'x', [null], [{ model: 'm' }], [{ ...exported[0], state: { ...exported[0].state, t: -1 } }]])
      expect(new ModelMonitor(noStorage as never, { idBase: 'dddd' }).adoptDetectors(bad, all)).toBe(0);
    expect(new ModelMonitor(noStorage as never, { idBase: 'eeee' }).adoptDetectors(exported, () => undefined)).toBe(0);
    expect(next.adoptDetectors(exported, all)).toBe(0);
    expect(new ModelMonitor(noStorage as never, { idBase: 'ffff', sketches: false }).adoptDetectors(exported, all)).toBe(0);
  });

  it('keeps the windows of a failed flush for the next one, merged with what came after', async () => {
    const monitor = new ModelMonitor(noStorage as never);
    monitor.window(v).observe(Float32Array.of(1, 2), Float32Array.of(0.9, 0.1, 0.3, 0.7), 2);
    monitor.observeFeatureStats(v, { rows: 2, inputs: { x: { missing: 1, invalid: 0, outOfRange: 0, unseen: 0, repaired: 0 } }, oov: {} });
    await expect(monitor.flush()).rejects.toThrow('storage down');
    monitor.window(v).observe(Float32Array.of(3), Float32Array.of(0.5, 0.5), 1);
    const w = monitor.window(v).toJSON();
    expect(w.predictions).toBe(3);
    expect(w.features.x.count).toBe(3);
    expect(w.health.repairedByInput).toEqual({ x: 1 });
  });

  it("standardises a regressor's label errors by the version's baseline error scale from the first label", () => {
    const regression = (errorScale?: number): MonitoredVersion => ({
      model: 'r',
      version: errorScale === undefined ? '1' : '2',
      layout: sketchLayout(['x'], { kind: 'regression', names: [] }),
      ...(errorScale === undefined ? {} : { errorScale }),
    });
    const monitor = new ModelMonitor(noStorage as never);
    const given = regression(250);
    const unknown = regression();
    monitor.remember(given, 0, Float32Array.of(10), 1);
    monitor.remember(unknown, 1, Float32Array.of(10), 1);
    expect(monitor.feedback(`${monitor.batchId(0)}:0`, 13, given)).toMatchObject({ matched: true, error: 3 });
    expect(monitor.feedback(`${monitor.batchId(1)}:0`, 13, unknown)).toMatchObject({ matched: true, error: 3 });
    expect(monitor.conceptDrift(given)?.errorScale).toBe(250);
    // without it the first 100 errors are held back to estimate one
    expect(monitor.conceptDrift(unknown)?.errorScale).toBeUndefined();
  });
});
