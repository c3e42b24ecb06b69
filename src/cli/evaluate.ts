import type { FeatureSpec, RawRecord } from '../features/FeatureSpec.ts';
import type { OutputSpec } from '../registry/Manifest.ts';

/** Metric name → value, on one set of rows. `rows` is always there. */
export type Metrics = Readonly<Record<string, number>>;

/** A model's metrics on the holdout, overall and per slice: `slices[kind][value]` (kind `month` or a category input). */
export interface Evaluation {
  readonly metrics: Metrics;
  readonly slices: Readonly<Record<string, Readonly<Record<string, Metrics>>>>;
}

/** Whether a larger value of a metric {@link evaluate} computes is better. */
export const GREATER_IS_BETTER: Readonly<Record<string, boolean>> = { accuracy: true, logLoss: false, mae: false, rmse: false };

function metricsOf(scores: ArrayLike<number>, y: ArrayLike<number>, rows: readonly number[], outputs: OutputSpec): Metrics {
  const n = rows.length;
  if (outputs.kind === 'classification') {
    const k = outputs.labels.length;
    let hits = 0;
    let loss = 0;
    for (const r of rows) {
      let best = 0;
      for (let c = 1; c < k; c++) if (scores[r * k + c] > scores[r * k + best]) best = c;
      hits += best === y[r] ? 1 : 0;
      loss -= Math.log(Math.max(scores[r * k + y[r]], 1e-7));
    }
    return { rows: n, accuracy: n ? hits / n : Number.NaN, logLoss: n ? loss / n : Number.NaN };
  }
  let abs = 0;
  let sq = 0;
  for (const r of rows) {
    const e = scores[r] - y[r];
    abs += Math.abs(e);
    sq += e * e;
  }
  return { rows: n, mae: n ? abs / n : Number.NaN, rmse: n ? Math.sqrt(sq / n) : Number.NaN };
}

/** `YYYY-MM` of a timestamp input's value (an ISO date string or epoch milliseconds), else undefined. */
function monthOf(value: unknown): string | undefined {
  if (typeof value === 'string' && /^\d{4}-\d{2}/.test(value)) return value.slice(0, 7);
  if (typeof value === 'number' && Number.isFinite(value)) return new Date(value).toISOString().slice(0, 7);
  return undefined;
}

/**
 * The slices of the holdout: `month` (from the spec's first timestamp input) and one kind per category
 * input (its value; missing is `(missing)`). Row indices per slice value, in first-seen order.
 */
export function slicesOf(spec: FeatureSpec, records: readonly RawRecord[]): Record<string, Record<string, number[]>> {
  const out: Record<string, Record<string, number[]>> = {};
  const add = (kind: string, value: string, row: number) => {
    out[kind] ??= {};
    if (!Object.hasOwn(out[kind], value)) out[kind][value] = [];
    out[kind][value].push(row);
  };
  const date = spec.inputs.find((i) => i.type === 'timestamp');
  const categories = spec.inputs.filter((i) => i.type === 'category');
  records.forEach((record, row) => {
    const month = date ? monthOf(record[date.name]) : undefined;
    if (month) add('month', month, row);
    for (const input of categories) add(input.name, record[input.name] == null ? '(missing)' : String(record[input.name]), row);
  });
  return out;
}

/** Overall and per-slice metrics of `scores` (row-major) against labels `y`. */
export function evaluate(scores: ArrayLike<number>, y: ArrayLike<number>, outputs: OutputSpec, slices: Record<string, Record<string, number[]>>): Evaluation {
  const all = Array.from({ length: y.length }, (_, i) => i);
  return {
    metrics: metricsOf(scores, y, all, outputs),
    slices: Object.fromEntries(
      Object.entries(slices).map(([kind, values]) => [
        kind,
        Object.fromEntries(Object.entries(values).map(([value, rows]) => [value, metricsOf(scores, y, rows, outputs)])),
      ]),
    ),
  };
}
