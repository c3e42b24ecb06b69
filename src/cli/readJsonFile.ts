import { existsSync, readFileSync } from 'node:fs';
import { EdgewatchError, ErrorCode } from '../errors.ts';
import { UsageError } from './UsageError.ts';

/**
 * Reads a JSON file the user pointed the CLI at. A path that is not there is a usage error (the user
 * mistyped it); a file that is not JSON is `MANIFEST_INVALID` (a file the CLI reads is malformed).
 */
export function readJsonFile(path: string, what: string): unknown {
  if (!existsSync(path)) throw new UsageError(`${what} ${path} does not exist`);
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new EdgewatchError(ErrorCode.MANIFEST_INVALID, `${what} ${path} is not valid JSON: ${(error as Error).message}`, { path });
  }
}
