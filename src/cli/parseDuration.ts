import { UsageError } from './UsageError.ts';

const UNITS_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `30d`, `12h`, `90m` in milliseconds; anything else is a usage error naming the option. */
export function parseDuration(option: string, text: string): number {
  const match = /^(\d{1,6})([mhd])$/.exec(text);
  const ms = match ? Number(match[1]) * UNITS_MS[match[2] as keyof typeof UNITS_MS] : 0;
  if (!(ms > 0)) throw new UsageError(`${option} must be a duration such as 30d, 12h or 90m`);
  return ms;
}
