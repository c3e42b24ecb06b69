import { isPackedRecords, PACK_FROM_ROWS, packRecords, packedTransfers, type RecordBatch } from '../features/RecordBatch.ts';
import { decodeError } from '../WireError.ts';
import { isPredictMessage, PREDICT_TAG, type PortReply, type PortRequest, type PredictEndpoint, type PredictResponse } from '../../workers/protocol.ts';

/**
 * Main-thread end of the predict protocol: one message out and one back per batch, matched by id. The
 * endpoint is the worker itself (its channel shared with comlink: messages without the predict tag are
 * comlink's) or a MessagePort. The worker's death is noticed by the runtime (Web Lock), which re-sends
 * through a new client, so requests that never get a reply here are simply dropped with it.
 */
export class PredictPortClient {
  private nextId = 0;
  private readonly waiting = new Map<number, { resolve(value: PredictResponse): void; reject(error: unknown): void }>();
  private readonly onMessage = (event: MessageEvent): void => {
    const message: unknown = event.data;
    if (!isPredictMessage(message)) return;
    // Ours: a listener added after this one (comlink's: the runtime makes this client first) need not look at it.
    event.stopImmediatePropagation();
    const reply = message as PortReply;
    const id = reply[1];
    const waiter = this.waiting.get(id);
    if (!waiter) return;
    this.waiting.delete(id);
    if (reply.length === 3) {
      waiter.reject(decodeError(reply[2]));
      return;
    }
    const [, , scores, classes, rows, outputWidth, workerMs, version, backend, idPrefix] = reply;
    waiter.resolve({ version, backend, rows, outputWidth, scores, classes: classes ?? undefined, idPrefix, workerMs });
  };

  constructor(private readonly endpoint: PredictEndpoint) {
    endpoint.addEventListener('message', this.onMessage);
    endpoint.start?.();
  }

  predict(name: string, records: RecordBatch): Promise<PredictResponse> {
    const id = this.nextId++;
    return new Promise<PredictResponse>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      try {
        const packed = isPackedRecords(records) || records.length < PACK_FROM_ROWS ? undefined : packRecords(records);
        if (packed) this.endpoint.postMessage([PREDICT_TAG, id, name, packed] satisfies PortRequest, packedTransfers(packed));
        else this.endpoint.postMessage([PREDICT_TAG, id, name, records] satisfies PortRequest);
      } catch (error) {
        // Not cloneable (a function in a record, say): this call fails, the channel stays usable.
        this.waiting.delete(id);
        throw error;
      }
    });
  }

  /** Stops listening (and closes a MessagePort); what is still waiting is dropped. */
  close(): void {
    this.endpoint.removeEventListener('message', this.onMessage);
    if (this.endpoint instanceof MessagePort) this.endpoint.close();
    this.waiting.clear();
  }
}
