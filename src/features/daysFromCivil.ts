/**
 * Days from 1970-01-01 to a proleptic Gregorian date (month 1–12), by H. Hinnant's days_from_civil
 * algorithm: integer arithmetic only, exact over the whole ECMAScript date range, no `Date` object and
 * no two-digit-year quirk (`Date.UTC` reads years 0–99 as 1900–1999).
 */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  return era * 146_097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719_468;
}
