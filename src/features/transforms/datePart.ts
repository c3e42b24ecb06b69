import type { DatePartStep } from '../FeatureSpec.ts';
import { daysFromCivil } from '../daysFromCivil.ts';
import type { Transform } from './Transform.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Period of each part, used for the cyclical encoding. */
const PERIOD = { month: 12, dayOfWeek: 7, hour: 24, dayOfYear: 366 } as const;

/**
 * Part of a UTC timestamp (ms); UTC so a record means the same on every device whatever its time zone.
 * Plain integer arithmetic instead of a `Date` per value: no allocation on the hot path, and the same
 * integers `getUTC*()` gives (a property test checks that).
 */
export function datePartOf(ms: number, which: DatePartStep['part']): number {
  const days = Math.floor(ms / DAY_MS);
  if (which === 'dayOfWeek') return (((days + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday (4)
  if (which === 'hour') return Math.floor((((ms % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS);
  // civil_from_days: year and month of `days`.
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doyFromMarch = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doyFromMarch + 2) / 153);
  const month = mp < 10 ? mp + 3 : mp - 9;
  if (which === 'month') return month - 1;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return days - daysFromCivil(year, 1, 1);
}

/** Calendar parts of a timestamp; `cyclical` writes sin and cos of the phase so December sits next to January. */
export const datePart: Transform<DatePartStep> = {
  op: 'datePart',
  accepts: ['number'],
  stage: () => 'write',
  width: (step) => (step.cyclical ? 2 : 1),
  columns: (step, feature) => (step.cyclical ? [`${feature}.sin`, `${feature}.cos`] : [feature]),
  isFitted: () => true,
  write(step, column, rows, out, stride, offset) {
    const values = column as Float64Array;
    const period = PERIOD[step.part];
    for (let i = 0; i < rows; i++) {
      const value = datePartOf(values[i], step.part);
      const at = i * stride + offset;
      if (step.cyclical) {
        const phase = (2 * Math.PI * value) / period;
        out[at] = Math.sin(phase);
        out[at + 1] = Math.cos(phase);
      } else {
        out[at] = value;
      }
    }
  },
};
