/** What the background-trial tests watch: the runtime's events in order, and the workers it starts. */
import type { EdgeRuntime } from '../../src/runtime/EdgeRuntime.ts';
import { isPredictMessage } from '../../workers/protocol.ts';

/** Every runtime event of interest, in the order the page saw them (`predicted` marks an answer). */
export function journal(rt: EdgeRuntime) {
  const seen: { type: string; detail?: Record<string, unknown> }[] = [];
  for (const type of ['activated', 'backend-trial', 'backend-changed'] as const) {
    rt.addEventListener(type, (event) => seen.push({ type, detail: event.detail as unknown as Record<string, unknown> }));
  }
  return seen;
}

/** The runtime's workers, counted as they are created and terminated; `next` makes the second and later ones. */
export function countedWorkers(next?: () => Worker) {
  const workers: Worker[] = [];
  const gone = new Set<Worker>();
  // What the page sent each worker, in order: comlink's method name, or `predict` for the predict channel.
  const sent: string[][] = [];
  const create = () => {
    const worker =
      workers.length > 0 && next
        ? next()
        : new Worker(new URL('../../workers/inference.worker.ts', import.meta.url), { type: 'module', name: 'edgewatch-inference' });
    workers.push(worker);
    const log: string[] = [];
    sent.push(log);
    const post = worker.postMessage.bind(worker) as (message: unknown, transfer?: Transferable[]) => void;
    worker.postMessage = ((message: { type?: string; path?: string[] }, transfer?: Transferable[]) => {
      if (message?.type === 'APPLY' && message.path) log.push(message.path.join('.'));
      else if (isPredictMessage(message)) log.push('predict');
      post(message, transfer);
    }) as Worker['postMessage'];
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
