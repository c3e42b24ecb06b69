import { EdgewatchError } from '../src/errors.ts';
import type { RecordBatch } from '../src/features/RecordBatch.ts';
import type { PortReply, PortRequest, PredictResponse } from './protocol.ts';

/**
 * Answers predict requests arriving on `port` (worker side of the fast path; see `openPredictPort`).
 * A request's `after` (bookkeeping the caller need not wait for) goes to `later` once the answer is posted.
 */
export function servePredictPort(
  port: MessagePort,
  predict: (name: string, records: RecordBatch) => Promise<{ response: PredictResponse; after?: () => void }>,
  later: (after: () => void) => void = (after) => after(),
): void {
  port.onmessage = async (event: MessageEvent<PortRequest>) => {
    const { id, name, records } = event.data;
    let reply: PortReply;
    try {
      const { response: value, after } = await predict(name, records);
      port.postMessage({ id, ok: true, value } satisfies PortReply, [value.scores.buffer]);
      if (after) later(after);
      return;
    } catch (error) {
      reply =
        error instanceof EdgewatchError
          ? { id, ok: false, error: { edgewatch: true, ...error.toJSON() } }
          : { id, ok: false, error: { edgewatch: false, message: String((error as Error)?.message ?? error), stack: (error as Error)?.stack } };
    }
    port.postMessage(reply);
  };
  port.start();
}
