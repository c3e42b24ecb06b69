import type { DriftReport, QuantityDrift } from '../monitor/summary/DriftReport.ts';

/** The value a feature's verdict rests on: the (BH-adjusted) p-value of a KS test, or the normalised Wasserstein distance. */
export function verdictValue(row: QuantityDrift): number | undefined {
  return row.statistic === 'ks' ? (row.adjustedPValue ?? row.pValue) : row.wasserstein;
}

/** One CSV field: quoted when needed, and a leading `=`, `+`, `-`, `@` defused (feature names come from the manifest). */
function field(value: unknown): string {
  if (value === undefined || value === null) return '';
  let text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const COLUMNS = [
  'feature',
  'statistic',
  'value',
  'threshold',
  'verdict',
  'count',
  'missing',
  'invalid',
  'mean',
  'baseline_mean',
  'p_value',
  'ks',
  'wasserstein',
  'psi',
  'jensen_shannon',
];

/** The per-feature rows of a report as CSV (RFC 4180, CRLF line ends, a header row). */
export function driftReportCsv(report: DriftReport): string {
  const lines = [COLUMNS.join(',')];
  for (const row of report.features) {
    lines.push(
      [
        row.name,
        row.statistic,
        verdictValue(row),
        row.threshold,
        row.verdict,
        row.count,
        row.missing,
        row.invalid,
        row.mean,
        row.baselineMean,
        row.pValue,
        row.ks,
        row.wasserstein,
        row.psi,
        row.jensenShannon,
      ]
        .map(field)
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}
