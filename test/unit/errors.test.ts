import { readFileSync } from 'node:fs';
import { transferHandlers } from 'comlink';
import { describe, expect, it } from 'vitest';
import { installErrorTransferHandler } from '../../src/errorTransfer.ts';
import { EdgewatchError, ErrorCode, ErrorMeaning, isEdgewatchError, isErrorCode } from '../../src/errors.ts';
import { decodeError, encodeError, type WireError } from '../../src/WireError.ts';

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
    // Other errors keep their message and name.
    const [plainWire] = handler.serialize({ value: new TypeError('plain') });
    let plain: unknown;
    try {
      handler.deserialize(structuredClone(plainWire));
    } catch (error) {
      plain = error;
    }
    expect(plain).toMatchObject({ name: 'TypeError', message: 'plain' });
  });
});

describe('the wire codec', () => {
  it('keeps code, details, message and stack of an EdgewatchError through structured clone', () => {
    const error = new EdgewatchError(ErrorCode.VERSION_UNAVAILABLE, 'no v9', { name: 'weather', version: '9', reason: 'no such version' });
    const back = decodeError(structuredClone(encodeError(error)));
    expect(back).toBeInstanceOf(EdgewatchError);
    expect(back).toMatchObject({ code: 'VERSION_UNAVAILABLE', message: 'no v9', details: { name: 'weather', version: '9', reason: 'no such version' } });
    expect(back.stack).toBe(error.stack);
  });

  it('keeps name, message and stack of other errors, and turns a thrown non-Error into an Error of its text', () => {
    const error = new RangeError('too far');
    const back = decodeError(structuredClone(encodeError(error)));
    expect(back).not.toBeInstanceOf(EdgewatchError);
    expect(back).toMatchObject({ name: 'RangeError', message: 'too far' });
    expect(back.stack).toBe(error.stack);
    const text = decodeError(structuredClone(encodeError('just a string')));
    expect(text).toMatchObject({ name: 'Error', message: 'just a string' });
  });

  it('does not trust a code from the wire: an unknown one arrives as a plain Error with the code in its cause', () => {
    const wire = { edgewatch: true, code: 'FROM_THE_FUTURE', message: 'newer peer', details: { x: 1 } } as unknown as WireError;
    const back = decodeError(wire);
    expect(back).not.toBeInstanceOf(EdgewatchError);
    expect(back.message).toBe('newer peer');
    expect(back.cause).toEqual({ code: 'FROM_THE_FUTURE', details: { x: 1 } });
    expect(isErrorCode('FROM_THE_FUTURE')).toBe(false);
    expect(isErrorCode('DISPOSED')).toBe(true);
  });
});

describe('the README', () => {
  it('lists every error code with its meaning', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.split(/^## Error codes$/m)[1]?.split(/^## /m)[0] ?? '';
    const table = new Map<string, string>();
    for (const line of section.split('\n')) {
      const row = /^\| `([A-Z_]+)` \| (.*) \|$/.exec(line.trim());
      if (row) table.set(row[1], row[2]);
    }
    // Both ways: a code missing from the table, or a row for a code that is gone, fails.
    const codes = Object.values(ErrorCode);
    expect(codes.length).toBeGreaterThanOrEqual(17);
    expect([...table.keys()].sort()).toEqual([...codes].sort());
    for (const code of codes) expect(table.get(code), code).toBe(ErrorMeaning[code]);
  });
});
