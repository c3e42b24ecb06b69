import { EdgewatchError, ErrorCode } from '../errors.ts';

/**
 * What a model name, version id or channel may be: 1–64 ASCII letters, digits, `.`, `_` and `-`,
 * starting with a letter or digit. Names become directory names in the registry and keys of the
 * manifest, so nothing that could climb out of the registry (`..`, `/`, `\`, an absolute path), hide
 * (a leading dot) or confuse a terminal (control characters) gets in.
 */
export const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * Returns `value` when it is a {@link SAFE_NAME}.
 *
 * @throws EdgewatchError `INPUT_INVALID` with `details.field` (the option's name) and `details.option` (its flag).
 */
export function checkSafeName(field: string, value: unknown): string {
  if (typeof value === 'string' && SAFE_NAME.test(value)) return value;
  throw new EdgewatchError(
    ErrorCode.INPUT_INVALID,
    `--${field} ${JSON.stringify(value)} is not allowed: use 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit`,
    { field, option: `--${field}`, reason: 'unsafe-name' },
  );
}
