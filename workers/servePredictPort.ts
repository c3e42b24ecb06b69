import type { RecordBatch } from '../src/features/RecordBatch.ts';
import { encodeError } from '../src/WireError.ts';
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
      reply = { id, ok: false, error: encodeError(error) };
    }
    port.postMessage(reply);
  };
  port.start();
}
