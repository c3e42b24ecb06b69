import { transferHandlers } from 'comlink';
import { describe, expect, it } from 'vitest';
import { installErrorTransferHandler } from '../../src/errorTransfer.ts';
import { EdgewatchError, ErrorCode, isEdgewatchError } from '../../src/errors.ts';

describe('EdgewatchError', () => {
  it('round-trips through structured clone as plain data', () => {
    const error = new EdgewatchError(ErrorCode.INPUT_INVALID, 'bad wind', { field: 'wind', row: 3 });
    const back = EdgewatchError.fromJSON(structuredClone(error.toJSON()));
    expect(back).toBeInstanceOf(EdgewatchError);
    expect(back.code).toBe('INPUT_INVALID');
    expect(back.details).toEqual({ field: 'wind', row: 3 });
    expect(back.message).toBe('bad wind');
    expect(isEdgewatchError(back, 'INPUT_INVALID')).toBe(true);
    expect(isEdgewatchError(back, 'QUOTA_EXCEEDED')).toBe(false);
    expect(isEdgewatchError(new Error('x'))).toBe(false);
  });

  it("keeps code and details through comlink's throw handler (both sides)", () => {
    installErrorTransferHandler();
    const handler = transferHandlers.get('throw') as any;
    const thrown = new EdgewatchError(ErrorCode.UNKNOWN_MODEL, 'no such model', { name: 'x' });
    const [wire] = handler.serialize({ value: thrown });
    const cloned = structuredClone(wire);
    let rebuilt: unknown;
    try {
      handler.deserialize(cloned);
    } catch (error) {
      rebuilt = error;
    }
    expect(rebuilt).toBeInstanceOf(EdgewatchError);
    expect((rebuilt as EdgewatchError).code).toBe('UNKNOWN_MODEL');
    expect((rebuilt as EdgewatchError).details).toEqual({ name: 'x' });
    // Other errors still go through comlink's own handling (message kept).
    const [plainWire] = handler.serialize({ value: new TypeError('plain') });
    expect(() => handler.deserialize(structuredClone(plainWire))).toThrow('plain');
  });
});
