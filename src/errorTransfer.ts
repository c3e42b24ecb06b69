import { transferHandlers, type TransferHandler } from 'comlink';
import { EdgewatchError, type SerializedEdgewatchError } from './errors.ts';

type Thrown = { value: unknown };
type Wire = { edgewatch: true; error: SerializedEdgewatchError } | { edgewatch: false; inner: unknown };

let installed = false;

/**
 * Makes `EdgewatchError` survive the worker boundary with its `code` and `details`. Comlink's own
 * "throw" handler keeps only message/name/stack, so we wrap it: Edgewatch errors travel as plain
 * data and are rebuilt as real `EdgewatchError`s; anything else goes through comlink's handler.
 * Both sides of a comlink channel must call this. Idempotent.
 */
export function installErrorTransferHandler(): void {
  if (installed) return;
  const original = transferHandlers.get('throw') as TransferHandler<Thrown, unknown>;
  const handler: TransferHandler<Thrown, Wire> = {
    canHandle: (value): value is Thrown => original.canHandle(value),
    serialize(thrown) {
      if (thrown.value instanceof EdgewatchError) return [{ edgewatch: true, error: thrown.value.toJSON() }, []];
      const [inner, transferables] = original.serialize(thrown);
      return [{ edgewatch: false, inner }, transferables];
    },
    deserialize(wire) {
      if (wire.edgewatch) throw EdgewatchError.fromJSON(wire.error);
      return original.deserialize(wire.inner);
    },
  };
  transferHandlers.set('throw', handler as TransferHandler<unknown, unknown>);
  installed = true;
}
