/** What the background-trial tests watch: the runtime's events in order, and the workers it starts. */
import { afterEach } from 'vitest';
import { commands } from 'vitest/browser';
import { createEdgeRuntime, type EdgeRuntime, type EdgeRuntimeOptions } from '../../src/runtime/EdgeRuntime.ts';
import { isPredictMessage } from '../../workers/protocol.ts';
import { REGISTRY, uniqueDbName, weather, withoutLabel } from './weatherData.ts';

/**
 * `runtime()` makes a runtime on the bundled registry (a fresh database named after `prefix`); every one
 * made, and every registry test server whose id is pushed to `servers`, is gone after each test.
 */
export function disposedAfterEach(prefix: string) {
  const runtimes: EdgeRuntime[] = [];
  const servers: string[] = [];
  afterEach(async () => {
    await Promise.all(runtimes.splice(0).map((rt) => rt.dispose()));
    for (const id of servers.splice(0)) await commands.registryStop(id);
  });
  const runtime = (options: Partial<EdgeRuntimeOptions> = {}): EdgeRuntime => {
    const rt = createEdgeRuntime({ registry: REGISTRY, dbName: uniqueDbName(prefix), flushIntervalMs: 60_000, ...options });
    runtimes.push(rt);
    return rt;
  };
  return { runtime, servers };
}

/** Every runtime event of interest, in the order the page saw them (`predicted` marks an answer). */
export function journal(rt: EdgeRuntime) {
  const seen: { type: string; detail?: Record<string, unknown> }[] = [];
  for (const type of ['activated', 'backend-trial', 'backend-changed'] as const) {
    rt.addEventListener(type, (event) => seen.push({ type, detail: event.detail as unknown as Record<string, unknown> }));
  }
  return seen;
}

/** The inference worker, as the runtime starts it by default. */
export function inferenceWorker(): Worker {
  return new Worker(new URL('../../workers/inference.worker.ts', import.meta.url), { type: 'module', name: 'edgewatch-inference' });
}

/**
 * Routes what the page posts to `worker` through `through`, with its method: comlink's method path for a
 * call, `predict` for the predict channel, '' for anything else; `send` posts it.
 */
function interceptPosts(worker: Worker, through: (method: string, send: () => void) => void): void {
  const post = worker.postMessage.bind(worker) as (message: unknown, transfer?: Transferable[]) => void;
  worker.postMessage = ((message: { type?: string; path?: string[] }, transfer?: Transferable[]) => {
    const method = message?.type === 'APPLY' && message.path ? message.path.join('.') : isPredictMessage(message) ? 'predict' : '';
    through(method, () => post(message, transfer));
  }) as Worker['postMessage'];
}

/**
 * Holds what the page sends a worker (those `held` picks: comlink's method path, or `predict`) until
 * `open()`; then it goes on in the order sent. Nothing is lost, only late.
 */
export function heldMessages(held: (method: string) => boolean = () => true) {
  let open: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const hold = (worker: Worker): Worker => {
    interceptPosts(worker, (method, send) => {
      if (held(method)) void gate.then(send);
      else send();
    });
    return worker;
  };
  return { hold, open: () => open() };
}

/** The runtime's workers, counted as they are created and terminated; `next` makes the second and later ones. */
export function countedWorkers(next?: () => Worker) {
  const workers: Worker[] = [];
  const gone = new Set<Worker>();
  // What the page sent each worker, in order: comlink's method name, or `predict` for the predict channel.
  const sent: string[][] = [];
  const create = () => {
    const worker = workers.length > 0 && next ? next() : inferenceWorker();
    workers.push(worker);
    const log: string[] = [];
    sent.push(log);
    interceptPosts(worker, (method, send) => {
      if (method) log.push(method);
      send();
    });
    const terminate = worker.terminate.bind(worker);
    worker.terminate = () => {
      gone.add(worker);
      terminate();
    };
    return worker;
  };
  return {
    create,
    workers,
    sent,
    get created() {
      return workers.length;
    },
    get terminated() {
      return gone.size;
    },
  };
}

/**
 * A runtime on `dbName` whose handoff worker (the second it starts) dies in its script, with wasm timed and
 * handed over whatever it measures, called until its trials are over (`chosenBy: 'measured'`).
 */
export async function handoffThatFails(runtime: (options: Partial<EdgeRuntimeOptions>) => EdgeRuntime, dbName: string) {
  const days = weather.map(withoutLabel);
  const broken = URL.createObjectURL(new Blob(['throw new Error("handoff worker broken on purpose")'], { type: 'text/javascript' }));
  const workers = countedWorkers(() => new Worker(broken, { type: 'module' }));
  const rt = runtime({ dbName, backendTrials: ['wasm'], backendSwapSpeedup: 0, createWorker: workers.create });
  const seen = journal(rt);
  const model = await rt.model('weather').ready();
  await model.predict(days[0]);
  while ((await rt.backend())?.chosenBy !== 'measured') await model.predict(days[1]);
  URL.revokeObjectURL(broken);
  return { rt, seen, model, workers };
}
