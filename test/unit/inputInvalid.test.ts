import { describe, expect, it } from 'vitest';
import { EdgewatchError, ErrorCode } from '../../src/errors.ts';
import { inputInvalid, inputInvalidDetails } from '../../src/inputInvalid.ts';
import { decodeError, encodeError } from '../../src/WireError.ts';

describe('inputInvalid', () => {
  it('builds the message from the details, so a renumbered row reads right', () => {
    const error = inputInvalid({ field: 'wind', row: 17, reason: 'not a number', value: 'gusty' });
    expect(error).toBeInstanceOf(EdgewatchError);
    expect(error.code).toBe('INPUT_INVALID');
    expect(error.message).toBe('Input "wind" of record 17: not a number');
    expect(error.details).toEqual({ field: 'wind', row: 17, reason: 'not a number', value: 'gusty' });
    // What the handle does with a batch's error: the same details with the row within the caller's request.
    const parsed = inputInvalidDetails(decodeError(structuredClone(encodeError(error))));
    expect(parsed).toEqual({ field: 'wind', row: 17, reason: 'not a number', value: 'gusty' });
    const own = inputInvalid({ ...(parsed as NonNullable<typeof parsed>), row: 2 });
    expect(own.message).toBe('Input "wind" of record 2: not a number');
    expect(own.details.row).toBe(2);
  });

  it('inputInvalidDetails: only INPUT_INVALID errors about one record', () => {
    expect(
      inputInvalidDetails(new EdgewatchError(ErrorCode.INPUT_INVALID, 'Expected an array of records', { field: null, reason: 'not an array' })),
    ).toBeUndefined();
    expect(inputInvalidDetails(new EdgewatchError(ErrorCode.DOWNLOAD_FAILED, 'x', { field: 'a', row: 1, reason: 'b' }))).toBeUndefined();
    expect(inputInvalidDetails(new Error('Input "a" of record 1: b'))).toBeUndefined();
  });
});
