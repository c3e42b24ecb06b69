import type { EdgewatchError } from '../../src/errors.ts';

/** The error `promise` rejects with (to inspect its code and details); throws if it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<EdgewatchError> {
  try {
    await promise;
  } catch (error) {
    return error as EdgewatchError;
  }
  throw new Error('expected a rejection');
}

/** The error `fn` throws (to inspect its code and details); throws if it returns. */
export function errorOf(fn: () => unknown): EdgewatchError {
  try {
    fn();
  } catch (error) {
    return error as EdgewatchError;
  }
  throw new Error('expected a throw');
}
