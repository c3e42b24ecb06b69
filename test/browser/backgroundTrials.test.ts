import { openDB } from 'idb';
import { describe, expect, it } from 'vitest';
import { commands } from 'vitest/browser';
import { ConceptDrift } from '../../src/monitor/detectors/ConceptDrift.ts';
import type { DriftSummary } from '../../src/monitor/summary/DriftSummary.ts';
import type { RegistryManifest } from '../../src/registry/Manifest.ts';
import type { Prediction } from '../../src/runtime/ModelHandle.ts';
import { countedWorkers, disposedAfterEach, handoffThatFails, heldMessages, inferenceWorker, journal } from './trialJournal.ts';
import { uniqueDbName, weather, withoutLabel } from './weatherData.ts';

const { runtime, servers } = disposedAfterEach('trials');

const days = weather.map(withoutLabel);

async function rememberedRows(dbName: string): Promise<number> {
  const db = await openDB(dbName);
  try {
    return db.objectStoreNames.contains('backendChoices') ? await db.count('backendChoices') : 0;
  } finally {
    db.close();
  }
}

describe("backends: 'auto' answers first and measures in the background", () => {
  it('a first visit of the weather MLP serves from cpu at once, then times wasm in a child, keeps cpu or hands over, and remembers', async () => {
    const dbName = uniqueDbName('auto');
    const workers = countedWorkers();
    const rt = runtime({ dbName, createWorker: workers.create });
    const seen = journal(rt);
    const first = await rt.model('weather').predict(days[0]);
    seen.push({ type: 'predicted' });
    // A few KB of weights and named scalar fields (firstServingOrder): cpu, which needs no binary compiled first.
    expect(first.backend).toBe('cpu');
    // The trials wait for the first answer: nothing was timed before it.
    expect(seen.map((e) => e.type).slice(0, 2)).toEqual(['activated', 'predicted']);
    await expect.poll(async () => (await rt.backend())?.chosenBy, { timeout: 30_000 }).toBe('measured');
    const trials = seen.filter((e) => e.type === 'backend-trial').map((e) => e.detail);
    // One report per other backend of the order, each against the serving cpu.
    expect(trials.map((t) => t?.backend).sort()).toEqual(['wasm', 'webgl', 'webgpu']);
    expect(trials.every((t) => t?.serving === 'cpu' && t?.name === 'weather')).toBe(true);
    // wasm was really timed (in a child worker: the serving worker never starts it), with cpu's outputs to match.
    const wasm = trials.find((t) => t?.backend === 'wasm');
    expect(wasm?.skipped).toBeUndefined();
    expect(wasm?.rejected).toBeUndefined();
    expect(wasm?.medianMs).toBeGreaterThan(0);
    expect(wasm?.servingMs).toBeGreaterThan(0);
    expect(wasm?.maxAbsDiff).toBeLessThanOrEqual(1e-3);
    const changed = seen.find((e) => e.type === 'backend-changed')?.detail;
    // Whichever is faster serves (never asserted here): wasm through a handoff to a new worker, or cpu kept.
    const winner = changed ? 'wasm' : 'cpu';
    if (changed) {
      expect(changed).toMatchObject({ from: 'cpu', to: 'wasm', info: { name: 'wasm', chosenBy: 'measured' } });
      await expect.poll(() => workers.terminated, { timeout: 10_000 }).toBe(1);
      expect(workers.created).toBe(2);
    } else expect(workers.created).toBe(1);
    await expect(rt.model('weather').predict(days[1])).resolves.toMatchObject({ backend: winner });
    expect(await rt.backend()).toMatchObject({ name: winner, chosenBy: 'measured', trials: { wasm: { medianMs: wasm?.medianMs } } });
    expect(await rememberedRows(dbName)).toBe(1);
    await rt.dispose();

    // Second start: the remembered decision, no trial at all.
    const again = runtime({ dbName });
    const seenAgain = journal(again);
    await expect(again.model('weather').predict(days[1])).resolves.toMatchObject({ backend: winner });
    expect(await again.backend()).toMatchObject({ chosenBy: 'remembered', name: winner });
    // Trials would start a task after the first answer; give them far longer than that.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(seenAgain.filter((e) => e.type === 'backend-trial')).toEqual([]);
  });

  it('an image model (MobileNetV2: MBs of weights, an image input) still serves first on wasm, and cpu is not timed once wasm runs', async () => {
    const rt = runtime({ registry: '/bench/models/registry/manifest.json', rememberBackend: false });
    const seen = journal(rt);
    const model = await rt.model('mobilenet').ready();
    expect(model.backend).toBe('wasm');
    expect(await rt.backend()).toMatchObject({ name: 'wasm', chosenBy: 'measuring' });
    await model.predict({ image: new Float32Array(224 * 224 * 3).fill(0.5) });
    await expect.poll(async () => (await rt.backend())?.chosenBy, { timeout: 30_000 }).toBe('measured');
    // The trial reports come on a port of their own (comlink's callback proxy), so `backend()` can answer first.
    const cpuTrial = () => seen.find((e) => e.type === 'backend-trial' && e.detail?.backend === 'cpu')?.detail;
    await expect.poll(cpuTrial, { timeout: 5_000 }).toBeDefined();
    const cpu = cpuTrial();
    expect(cpu).toMatchObject({ serving: 'wasm', skipped: 'cpu is not timed once wasm runs' });
  });

  it('activated reports the real load time: artifacts, backend start and model build', async () => {
    const rt = runtime({ rememberBackend: false });
    const seen = journal(rt);
    const t0 = performance.now();
    await rt.model('weather').ready();
    const wall = performance.now() - t0;
    const activated = seen.find((e) => e.type === 'activated')?.detail as { loadMs: number; warmupMs: number; fetchMs: number; backendMs: number };
    expect(activated.fetchMs).toBeGreaterThan(0);
    expect(activated.backendMs).toBeGreaterThan(0);
    expect(activated.loadMs).toBeGreaterThanOrEqual(activated.fetchMs + activated.backendMs);
    // The worker's parts are within what the page waited (the page also started the worker and read the manifest).
    expect(activated.loadMs + activated.warmupMs).toBeLessThanOrEqual(wall);
  });

  it('hot swap as a handoff: trials in workers of their own while callers are answered, no call lost or answered twice, counts survive', async () => {
    const dbName = uniqueDbName('swap');
    const workers = countedWorkers();
    // The weather MLP serves first on cpu. Asked: time wasm, and take any correct candidate (0), so the handoff happens whatever the timings.
    const rt = runtime({ dbName, backendTrials: ['wasm'], backendSwapSpeedup: 0, createWorker: workers.create });
    const seen = journal(rt);
    const model = await rt.model('weather').ready();
    // Before the first answer, so before any trial: the serving model's weights on cpu.
    const before = await rt.stats();
    const rows = days.slice(0, 64);
    const reference = await model.predict(rows);
    seen.push({ type: 'predicted' });
    // Callers keep coming while the trial and the handoff run: four at a time, each row its own call.
    const answered: Prediction[] = [];
    const servingStats: { numTensors: number; backend: string | null }[] = [];
    let predicted = rows.length;
    let round = 0;
    while (!seen.some((e) => e.type === 'backend-changed')) {
      const batch = await Promise.all([0, 1, 2, 3].map((k) => model.predict(rows[(round * 4 + k) % rows.length])));
      answered.push(...batch);
      predicted += batch.length;
      if (!seen.some((e) => e.type === 'backend-changed')) servingStats.push(await rt.stats());
      if (++round > 20_000) throw new Error('the handoff never happened');
      seen.push({ type: 'predicted' });
    }
    const after = await model.predict(rows);
    predicted += rows.length;
    expect(after[0].backend).toBe('wasm');
    expect(model.backend).toBe('wasm');
    // Every answer is its own row's, from one backend or the other, as the reference.
    answered.forEach((p, n) => {
      const i = n % rows.length;
      expect(p.scores.every((v, j) => Math.abs(v - reference[i].scores[j]) <= 1e-4)).toBe(true);
    });
    expect(answered.every((p) => p.backend === 'wasm' || p.backend === 'cpu')).toBe(true);
    // The serving worker never held a trial: no candidate's weights, no other backend active there, ever.
    expect(servingStats.length).toBeGreaterThan(0);
    expect(servingStats.every((s) => s.numTensors === before.numTensors && s.backend === 'cpu')).toBe(true);
    const types = seen.map((e) => e.type);
    const trialAt = seen.findIndex((e) => e.type === 'backend-trial' && e.detail?.backend === 'wasm');
    // Callers were answered while the candidate was started, loaded and timed (in-worker trials answered a handful).
    expect(types.slice(types.indexOf('predicted'), trialAt).filter((t) => t === 'predicted').length).toBeGreaterThan(20);
    expect(types.filter((t) => !['predicted'].includes(t))).toEqual(['activated', 'backend-trial', 'backend-trial', 'backend-trial', 'backend-changed']);
    const wasmTrial = seen.find((e) => e.type === 'backend-trial' && e.detail?.backend === 'wasm')?.detail;
    expect(wasmTrial).toMatchObject({ serving: 'cpu' });
    expect(wasmTrial?.medianMs).toBeGreaterThan(0);
    expect(wasmTrial?.servingMs).toBeGreaterThan(0);
    expect(wasmTrial?.maxAbsDiff).toBeLessThanOrEqual(1e-3);
    const changed = seen.find((e) => e.type === 'backend-changed')?.detail;
    expect(changed).toMatchObject({ from: 'cpu', to: 'wasm', info: { name: 'wasm', chosenBy: 'measured' } });
    // The new worker holds the same model on wasm: as many tensors as the old one did on cpu.
    expect(await rt.stats()).toMatchObject({ numTensors: before.numTensors, backend: 'wasm' });
    expect(await rt.backend()).toMatchObject({ name: 'wasm', chosenBy: 'measured', trials: { wasm: { medianMs: wasmTrial?.medianMs } } });
    // The old worker answered its calls, flushed and was terminated: two started, one gone.
    await expect.poll(() => workers.terminated, { timeout: 10_000 }).toBe(1);
    expect(workers.created).toBe(2);
    // Monitoring: every prediction counted once, across both workers.
    await rt.flush();
    expect((await model.driftSummary())?.window.predictions).toBe(predicted);
    await rt.dispose();
    expect(workers.terminated).toBe(2);

    const again = runtime({ dbName, backendTrials: ['wasm'], backendSwapSpeedup: 0 });
    await again.model('weather').ready();
    expect(await again.backend()).toMatchObject({ name: 'wasm', chosenBy: 'remembered' });
  });

  it('a handoff that fails leaves the old worker serving, says why, and remembers the backend that serves', async () => {
    const dbName = uniqueDbName('swapfail');
    const { rt, seen, model, workers } = await handoffThatFails(runtime, dbName);
    const refused = seen.find((e) => e.type === 'backend-trial' && typeof e.detail?.rejected === 'string' && /handoff/.test(e.detail.rejected as string));
    expect(refused?.detail).toMatchObject({ backend: 'wasm', serving: 'cpu' });
    expect(refused?.detail?.rejected).toMatch(/^handoff to wasm failed: The inference worker failed to start/);
    expect(seen.some((e) => e.type === 'backend-changed')).toBe(false);
    expect(await rt.backend()).toMatchObject({ name: 'cpu', chosenBy: 'measured' });
    await expect(model.predict(days[2])).resolves.toMatchObject({ backend: 'cpu' });
    expect(workers.created).toBe(2);
    expect(workers.terminated).toBe(1); // the broken one, released
    await rt.dispose();

    const again = runtime({ dbName, backendTrials: ['wasm'], backendSwapSpeedup: 0 });
    await again.model('weather').ready();
    expect(await again.backend()).toMatchObject({ name: 'cpu', chosenBy: 'remembered' });
  });

  it('dispose during a handoff: every worker terminated, calls fail with DISPOSED, no backend-changed', async () => {
    const workers = countedWorkers();
    const rt = runtime({ rememberBackend: false, backendTrials: ['wasm'], backendSwapSpeedup: 0, createWorker: workers.create });
    const seen = journal(rt);
    const model = await rt.model('weather').ready();
    await model.predict(days[0]);
    // The handoff worker is created right after the trial's report: dispose while it starts and loads.
    while (workers.created < 2) await model.predict(days[1]);
    const late = model.predict(days[2]);
    await rt.dispose();
    // Answered before the end, or failed as disposed: never left waiting.
    expect(['answered', 'DISPOSED']).toContain(
      await late.then(
        () => 'answered',
        (error: { code?: string }) => error.code,
      ),
    );
    await expect(model.predict(days[3])).rejects.toMatchObject({ code: 'DISPOSED' });
    expect(workers.terminated).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(seen.some((e) => e.type === 'backend-changed')).toBe(false);
  });

  it('labels for predictions the old worker made join them after the handoff, sent before or right after the switch; one sent again is a duplicate there too', async () => {
    const workers = countedWorkers();
    const rt = runtime({ rememberBackend: false, backendTrials: ['wasm'], backendSwapSpeedup: 0, createWorker: workers.create });
    const seen = journal(rt);
    const model = await rt.model('weather').ready();
    const rows = weather.slice(0, 64);
    const early = await model.predict(rows.map(withoutLabel));
    expect(early.every((p) => p.backend === 'cpu')).toBe(true);
    // The first 8 labelled in the old worker already: sent again after the switch, they are duplicates, not counted twice.
    const labelledBefore = await Promise.all(early.slice(0, 8).map((p, k) => model.feedback(p.predictionId, rows[k].weather)));
    expect(labelledBefore.every((r) => r.matched && !r.duplicate)).toBe(true);
    // One row a call until the switch, paced so the old worker's 10,000 kept predictions still hold the first
    // batch: the last ones are answered by the old worker just before it.
    const late: { p: Prediction; label: string }[] = [];
    for (let i = 0; !seen.some((e) => e.type === 'backend-changed'); i++) {
      if (i > 5_000) throw new Error('the handoff never happened');
      const day = weather[(64 + i) % weather.length];
      late.push({ p: await model.predict(withoutLabel(day)), label: day.weather });
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const lastOld = late.filter((l) => l.p.backend === 'cpu').slice(-40);
    expect(lastOld.length).toBeGreaterThan(0);
    // At once, while the old worker is still retiring: its predictions, labelled.
    const results = await Promise.all([
      ...early.map((p, k) => model.feedback(p.predictionId, rows[k].weather)),
      ...lastOld.map(({ p, label }) => model.feedback(p.predictionId, label)),
    ]);
    expect(results.filter((r) => !r.matched)).toEqual([]);
    expect(results.map((r) => r.duplicate === true)).toEqual(results.map((_, k) => k < 8));
    expect(results.slice(8).every((r) => r.version === '1' && typeof r.correct === 'boolean')).toBe(true);
    expect([...labelledBefore, ...results.slice(8, 64)].map((r) => r.correct)).toEqual(early.map((p, k) => p.label === rows[k].weather));
    // A prediction of the new worker joins as before, and the old one has gone.
    const fresh = await model.predict(withoutLabel(weather[0]));
    expect(fresh.backend).toBe('wasm');
    expect((await model.feedback(fresh.predictionId, weather[0].weather)).matched).toBe(true);
    await expect.poll(() => workers.terminated, { timeout: 10_000 }).toBe(1);
    await rt.flush();
    const quality = (await model.driftSummary())?.report?.quality;
    expect(quality).toMatchObject({ labelled: 64 + lastOld.length + 1, unmatched: 0 });
  });

  it('the change detectors carry on in the new worker: a concept change that began before the handoff is found after it, on the label one worker would find it', async () => {
    const handoffWorker = heldMessages();
    const workers = countedWorkers(() => handoffWorker.hold(inferenceWorker()));
    const rt = runtime({ rememberBackend: false, backendTrials: ['wasm'], backendSwapSpeedup: 0, createWorker: workers.create });
    const seen = journal(rt);
    const model = await rt.model('weather').ready();
    const answers = await model.predict(Array.from({ length: 2000 }, (_, i) => days[i % days.length]));
    expect(answers.every((p) => p.backend === 'cpu')).toBe(true);
    // The label agrees with the answer but 1 in 10 times, then, from the 1000th, 1 in 2: the concept changed.
    const classes = [...new Set(weather.map((d) => d.weather))];
    const wrong = (i: number) => (i < 1000 ? i % 10 === 0 : i % 2 === 0);
    const label = (i: number) => (wrong(i) ? (classes.find((c) => c !== answers[i].label) as string) : (answers[i].label as string));
    const verdicts = (results: { drift: readonly string[] }[], from: number) => results.flatMap((r, k) => (r.drift.includes('concept') ? [from + k] : []));
    // The first 1030 labels reach the old worker: some evidence of the change, no verdict yet. Its detectors
    // are stored after 600: the new worker reads that older state when it loads, and the handed-over one replaces it.
    const before = await Promise.all(answers.slice(0, 600).map((p, i) => model.feedback(p.predictionId, label(i))));
    await rt.flush();
    before.push(...(await Promise.all(answers.slice(600, 1030).map((p, k) => model.feedback(p.predictionId, label(600 + k))))));
    expect(verdicts(before, 0)).toEqual([]);
    expect(seen.some((e) => e.type === 'backend-changed')).toBe(false);
    handoffWorker.open();
    await expect.poll(() => seen.some((e) => e.type === 'backend-changed'), { timeout: 60_000 }).toBe(true);
    // The rest, for predictions the old worker made, join in the new worker.
    const after = await Promise.all(answers.slice(1030).map((p, k) => model.feedback(p.predictionId, label(1030 + k))));
    expect(after.every((r) => r.matched && !r.duplicate)).toBe(true);
    const found = verdicts(after, 1030);
    // One worker fed the same stream: DDM, ADWIN and Page-Hinkley voting 2 of 3, as the runtime's.
    const alone = new ConceptDrift({ kind: 'classification' });
    const expected = answers.flatMap((_, i) => (alone.update(wrong(i) ? 1 : 0).driftDetected ? [i] : []));
    expect(expected.length).toBeGreaterThan(0);
    expect(found).toEqual(expected);
    // Detectors starting afresh at the handoff meet a steady 50 % error rate: they would never have fired.
    const fresh = new ConceptDrift({ kind: 'classification' });
    expect(answers.slice(1030).some((_, k) => fresh.update(wrong(1030 + k) ? 1 : 0).driftDetected)).toBe(false);
    await rt.flush();
    expect((await model.driftSummary())?.report?.quality).toMatchObject({ labelled: 2000 });
  });

  /** A registry whose manifest runs weather version 2 as the shadow of version 1. */
  async function shadowRegistry(): Promise<string> {
    const started = await commands.registryStart();
    servers.push(started.id);
    const manifest = (await (await fetch(started.url)).json()) as RegistryManifest;
    const weatherModel = manifest.models.weather;
    const next = { ...manifest, models: { weather: { ...weatherModel, channels: { ...weatherModel.channels, shadow: '2' } } } };
    await commands.registryWrite(started.id, 'manifest.json', JSON.stringify(next));
    return started.url;
  }

  const shadowOptions = {
    rememberBackend: false,
    backendTrials: ['wasm'],
    backendSwapSpeedup: 0,
    updateIntervalMs: 0,
    // The shadow may take all the time it needs: it compares from the first batches.
    monitoringBudget: { share: Number.POSITIVE_INFINITY },
  } as const;

  it('a shadow version is loaded into the new worker too, runs there after the handoff, and its counts and kept answers carry on', async () => {
    // The handoff worker hears nothing until the old worker's shadow has compared: there are counts to carry
    // on however fast the trials are (CI once switched before the shadow had loaded).
    const handoffWorker = heldMessages();
    const workers = countedWorkers(() => handoffWorker.hold(inferenceWorker()));
    const rt = runtime({ registry: await shadowRegistry(), ...shadowOptions, createWorker: workers.create, workerStartTimeoutMs: 120_000 });
    const seen = journal(rt);
    const model = await rt.model('weather').ready();
    // A summary asked for the moment the new worker serves: it has observed nothing yet, the old one everything.
    let atSwitch: Promise<DriftSummary | undefined> | undefined;
    rt.addEventListener('backend-changed', () => {
      atSwitch = model.driftSummary();
    });
    const rows = weather.slice(0, 40);
    // Before the switch: what the old worker's shadow compared (read now and then), and every answer, to label later.
    const answeredBefore: Prediction[] = [];
    let comparedBefore = 0;
    let compared = 0;
    while (!seen.some((e) => e.type === 'backend-changed')) {
      if (answeredBefore.length > 400_000) throw new Error('the handoff never happened');
      answeredBefore.push(...(await model.predict(rows.map(withoutLabel))));
      // The shadow runs after each answer is posted: a pause gives it its turn before the count is read.
      await new Promise((resolve) => setTimeout(resolve, 10));
      const read = (await model.driftSummary())?.shadow?.compared ?? 0;
      // Never backwards, not even in a summary read across the switch (CI once read none: the new worker had observed nothing yet).
      expect(read).toBeGreaterThanOrEqual(compared);
      compared = read;
      if (!seen.some((e) => e.type === 'backend-changed')) comparedBefore = read;
      if (comparedBefore > 0) handoffWorker.open();
    }
    expect(comparedBefore).toBeGreaterThan(0);
    // Read at the switch, the summary already holds what the old worker observed and its shadow compared.
    const summaryAtSwitch = await atSwitch;
    expect(summaryAtSwitch?.predictions).toBeGreaterThanOrEqual(answeredBefore.filter((p) => p.backend === 'cpu').length);
    expect(summaryAtSwitch?.shadow?.compared).toBeGreaterThanOrEqual(comparedBefore);
    await expect.poll(() => workers.terminated, { timeout: 10_000 }).toBe(1);
    // The old worker is gone; its shadow's comparisons were handed over, not started again from zero.
    expect((await model.driftSummary())?.shadow?.compared).toBeGreaterThanOrEqual(comparedBefore);
    // Labels for predictions the old worker's shadow also answered join its kept answers in the new worker.
    // The last 8,000 of them: within the 10,000 predictions each side keeps for labels.
    const labelledFrom = Math.max(0, answeredBefore.length - 8_000);
    await Promise.all(answeredBefore.slice(labelledFrom).map((p, k) => model.feedback(p.predictionId, rows[(labelledFrom + k) % rows.length].weather)));
    const afterLabels = (await model.driftSummary())?.shadow;
    expect(afterLabels?.labelled).toBeGreaterThan(0);
    expect(afterLabels?.championCorrect).toBeGreaterThan(0);
    // And it runs on the new worker's answers (wasm) from there on.
    let shadow: { compared: number; version: string } | undefined;
    const carried = afterLabels?.compared ?? 0;
    for (let i = 0; i < 200 && !(shadow && shadow.compared > carried); i++) {
      expect((await model.predict(days.slice(0, 40))).every((p) => p.version === '1' && p.backend === 'wasm')).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 20));
      shadow = (await model.driftSummary())?.shadow;
    }
    expect(shadow).toMatchObject({ version: '2', champion: '1' });
    expect(shadow?.compared).toBeGreaterThan(carried);
    expect((await rt.stats()).backend).toBe('wasm');
  });

  it('a shadow still loading in the old worker when the handoff starts is loaded into the new worker too, once, and runs there', async () => {
    // The old worker is asked to load the shadow only after the switch: its load is in flight throughout the handoff.
    const shadowLoad = heldMessages((method) => method === 'loadShadow');
    const workers = countedWorkers();
    const create = () => (workers.created === 0 ? shadowLoad.hold(workers.create()) : workers.create());
    const rt = runtime({ registry: await shadowRegistry(), ...shadowOptions, createWorker: create });
    const seen = journal(rt);
    rt.addEventListener('backend-changed', () => shadowLoad.open());
    const model = await rt.model('weather').ready();
    for (let i = 0; !seen.some((e) => e.type === 'backend-changed'); i++) {
      if (i > 5_000) throw new Error('the handoff never happened');
      await model.predict(days.slice(0, 8));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await expect.poll(() => workers.terminated, { timeout: 10_000 }).toBe(1);
    // The old worker did get the load it was asked for, once the switch had been made.
    expect(workers.sent[0]).toContain('loadShadow');
    let shadow: { compared: number; version: string; champion: string } | undefined;
    for (let i = 0; i < 200 && !(shadow && shadow.compared > 0); i++) {
      expect((await model.predict(days.slice(0, 40))).every((p) => p.backend === 'wasm')).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 20));
      shadow = (await model.driftSummary())?.shadow;
    }
    expect(shadow).toMatchObject({ version: '2', champion: '1' });
    expect(shadow?.compared).toBeGreaterThan(0);
    // Loaded once there: a second load would have started its counts again.
    expect(workers.sent[1].filter((method) => method === 'loadShadow')).toHaveLength(1);
  });

  it('a handoff warms the new worker outside monitoring before the switch, marks its steps in order, and retires the old worker after it', async () => {
    performance.clearMarks();
    const workers = countedWorkers();
    const rt = runtime({ rememberBackend: false, backendTrials: ['wasm'], backendSwapSpeedup: 0, createWorker: workers.create });
    const seen = journal(rt);
    const model = await rt.model('weather').ready();
    let predicted = 0;
    while (!seen.some((e) => e.type === 'backend-changed')) {
      await model.predict(days.slice(0, 8));
      predicted += 8;
    }
    await expect.poll(() => performance.getEntriesByName('edgewatch:handoff:retired').length, { timeout: 10_000 }).toBe(1);
    const at = (step: string) => performance.getEntriesByName(`edgewatch:handoff:${step}`, 'mark').map((m) => m.startTime);
    const steps = ['start', 'started', 'loaded', 'switched', 'flushed', 'retired'];
    // One handoff, each step once, in order: the old worker flushed and terminated only after routing switched.
    expect(steps.map((step) => at(step).length)).toEqual([1, 1, 1, 1, 1, 1]);
    const times = steps.map((step) => at(step)[0]);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    const after = await model.predict(days.slice(0, 8));
    predicted += 8;
    expect(after[0].backend).toBe('wasm');
    // The new worker (the second) ran its predict path after loading the version and before any caller's row reached it.
    const second = workers.sent[1];
    const firstPredict = second.indexOf('predict');
    expect(firstPredict).toBeGreaterThan(0);
    expect(second.slice(0, firstPredict).filter((m) => m === 'warmPredict').length).toBe(1);
    expect(second.indexOf('load')).toBeLessThan(second.indexOf('warmPredict'));
    // The warm-up runs are not predictions: the counts, and the rows sketched, are the callers' only.
    await rt.flush();
    const window = (await model.driftSummary())?.window;
    expect(window?.predictions).toBe(predicted);
    expect(window?.sketched).toBeGreaterThan(0);
    expect(window?.sketched).toBeLessThanOrEqual(predicted);
  });

  it('a crash of the serving worker during a handoff: the handoff is dropped (its worker terminated), the restart answers every call once', async () => {
    const workers = countedWorkers();
    const rt = runtime({ backendTrials: ['wasm'], backendSwapSpeedup: 0, createWorker: workers.create });
    const seen = journal(rt);
    const crashes: unknown[] = [];
    rt.addEventListener('error', (event) => crashes.push(event.detail.error.code));
    const model = await rt.model('weather').ready();
    const reference = await model.predict(days.slice(0, 40));
    while (workers.created < 2) await model.predict(days[1]);
    // The handoff's worker is starting: the serving one dies, with calls in flight.
    const stream = days.slice(0, 40).map((day) => model.predict(day));
    workers.workers[0].terminate();
    const answers = await Promise.all(stream);
    expect(answers.every((p, i) => p.scores.every((v, j) => Math.abs(v - reference[i].scores[j]) <= 1e-4))).toBe(true);
    expect(crashes).toEqual(['WORKER_CRASHED']);
    // The old worker, the handoff's (released when its start found itself replaced), and the restart serving.
    expect(workers.created).toBe(3);
    await expect.poll(() => workers.terminated, { timeout: 10_000 }).toBe(2);
    expect(seen.some((e) => e.type === 'backend-changed')).toBe(false);
    await expect(model.predict(days[3])).resolves.toBeDefined();
  });
});
