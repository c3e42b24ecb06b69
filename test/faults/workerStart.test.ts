import { beforeAll, describe, expect, it } from 'vitest';
import type { EdgeRuntime } from '../../src/runtime/EdgeRuntime.ts';
import { rejection } from '../support/rejection.ts';
import { collect, day, runtime, serve } from './harness.ts';

/** createWorker that names each started worker by `stages` in turn (the last one repeats). */
function dying(stages: string[]) {
  const started: string[] = [];
  const createWorker = () => {
    const name = stages[Math.min(started.length, stages.length - 1)];
    started.push(name);
    return new Worker(new URL('./dyingWorker.worker.ts', import.meta.url), { type: 'module', name });
  };
  return { started, createWorker };
}

function crashes(rt: EdgeRuntime) {
  return collect(rt, 'error');
}

describe('a worker that dies while starting', () => {
  // The first worker of the file compiles the worker's module graph; later ones start well inside the limit.
  beforeAll(async () => {
    const registry = await serve();
    await runtime(registry.url, { createWorker: dying(['ok']).createWorker })
      .model('weather')
      .predict(day);
  });

  it.each(['boot', 'configure', 'port'])('dies at %s: restarted within the start time limit; the call is answered', async (stage) => {
    const registry = await serve();
    const { started, createWorker } = dying([stage, 'ok']);
    const rt = runtime(registry.url, { createWorker, workerStartTimeoutMs: 8000 });
    const errors = crashes(rt);
    await expect(rt.model('weather').predict(day)).resolves.toMatchObject({ version: '1' });
    expect(started).toEqual([stage, 'ok']);
    expect(errors.map((e) => e.error.code)).toEqual(['WORKER_CRASHED']);
  });

  it.each(['boot', 'configure', 'port'])('always dies at %s: the call and later calls fail with WORKER_CRASHED, none stays pending', async (stage) => {
    const registry = await serve();
    const { started, createWorker } = dying([stage]);
    const rt = runtime(registry.url, { createWorker, workerStartTimeoutMs: 1500, maxRestartsPerMinute: 1 });
    const model = rt.model('weather');
    const [first, second] = await Promise.all([rejection(model.predict(day)), rejection(model.predict(day))]);
    expect([first.code, second.code]).toEqual(['WORKER_CRASHED', 'WORKER_CRASHED']);
    expect(started.length).toBe(2); // the first start and one restart, as the policy allows
    expect((await rejection(model.predict(day))).code).toBe('WORKER_CRASHED');
  });

  it('dies while reloading the serving version after a crash: restarted again, the call in flight answered once', async () => {
    const registry = await serve();
    const workers: Worker[] = [];
    const { started, createWorker } = dying(['ok', 'reload', 'ok']);
    const rt = runtime(registry.url, {
      createWorker: () => {
        const worker = createWorker();
        workers.push(worker);
        return worker;
      },
      workerStartTimeoutMs: 3000,
    });
    const model = await rt.model('weather').ready();
    const errors = crashes(rt);
    const inFlight = model.predict(day);
    workers[0].terminate();
    const answer = await inFlight;
    expect(answer.version).toBe('1');
    expect(started).toEqual(['ok', 'reload', 'ok']);
    expect(errors.map((e) => e.error.code)).toEqual(['WORKER_CRASHED', 'WORKER_CRASHED']);
    await expect(model.predict(day)).resolves.toMatchObject({ version: '1' });
  });
});
