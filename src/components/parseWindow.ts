import { EdgewatchError, ErrorCode } from '../errors.ts';

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const UNIT_WORDS = { s: 'second', m: 'minute', h: 'hour', d: 'day', w: 'week' } as const;

/** A look-back window such as `24h` or `7d`: its length and how to say it ("the last 24 hours"). */
export interface LookBack {
  readonly ms: number;
  readonly words: string;
  /** The same length as a unit of time: "hour", "5 minutes" (as in "per hour"). */
  readonly unit?: string;
}

/**
 * Parses `30s`, `30m`, `24h`, `7d`, `2w` (a positive whole number and a unit).
 *
 * @throws EdgewatchError `INPUT_INVALID` (`field`: `'window'` unless told) for anything else.
 */
export function parseWindow(value: string, field = 'window'): LookBack {
  const match = /^\s*(\d{1,6})\s*([smhdw])\s*$/.exec(value);
  const amount = match ? Number(match[1]) : 0;
  if (!match || amount <= 0) {
    throw new EdgewatchError(ErrorCode.INPUT_INVALID, `${field} must look like 24h or 7d (a whole number and s, m, h, d or w), not ${JSON.stringify(value)}`, {
      field,
      reason: 'format',
    });
  }
  const unit = match[2] as keyof typeof UNIT_MS;
  const words = amount === 1 ? `the last ${UNIT_WORDS[unit]}` : `the last ${amount} ${UNIT_WORDS[unit]}s`;
  return { ms: amount * UNIT_MS[unit], words, unit: amount === 1 ? UNIT_WORDS[unit] : `${amount} ${UNIT_WORDS[unit]}s` };
}
