import type { DatePartStep } from '../FeatureSpec.ts';
import type { Transform } from './Transform.ts';

const DAY_MS = 86_400_000;
/** Period of each part, used for the cyclical encoding. */
const PERIOD = { month: 12, dayOfWeek: 7, hour: 24, dayOfYear: 366 } as const;

/** Part of a UTC timestamp (ms); UTC so a record means the same on every device whatever its time zone. */
function part(ms: number, which: DatePartStep['part']): number {
  const date = new Date(ms);
  switch (which) {
    case 'month':
      return date.getUTCMonth();
    case 'dayOfWeek':
      return date.getUTCDay();
    case 'hour':
      return date.getUTCHours();
    case 'dayOfYear':
      return Math.floor((ms - Date.UTC(date.getUTCFullYear(), 0, 1)) / DAY_MS);
  }
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
      const value = part(values[i], step.part);
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
