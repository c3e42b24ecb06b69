import { EdgewatchError, ErrorCode } from '../errors.ts';
import { type Evaluation, GREATER_IS_BETTER } from './evaluate.ts';

/**
 * A gate on one holdout metric (as MLflow's `MetricThreshold`): the challenger's value must reach
 * `threshold`, and beat the champion's by at least `minAbsoluteChange` (challenger − champion, in the
 * better direction) and `minRelativeChange` (that change over |champion|). A negative change is a
 * tolerated loss: `minAbsoluteChange: -0.01` lets the challenger be at most 0.01 worse.
 */
export interface MetricGate {
  readonly metric: string;
  readonly threshold?: number;
  readonly minAbsoluteChange?: number;
  readonly minRelativeChange?: number;
  /** Default: known for `accuracy` (true), `logLoss`, `mae`, `rmse` (false); required for other names. */
  readonly greaterIsBetter?: boolean;
}

/**
 * A gate on slices (as TFMA's per-slice thresholds): in no slice of kind `slices` (`month`, or a
 * category input's name) may the challenger be worse than the champion by more than `maxDrop`. Slices
 * with fewer than `minRows` holdout rows (default 10) are not judged.
 */
export interface SliceGate {
  readonly slices: string;
  readonly metric: string;
  readonly maxDrop: number;
  readonly minRows?: number;
  readonly greaterIsBetter?: boolean;
}

export type Gate = MetricGate | SliceGate;

/** One gate's verdict, recorded with the candidate (and in the audit log). */
export interface GateResult {
  readonly gate: string;
  readonly metric: string;
  readonly passed: boolean;
  readonly challenger: number;
  readonly champion: number;
  /** What the gate needed, in words. */
  readonly required: string;
  /** Slice gates: the slices that failed. */
  readonly failedSlices?: readonly { readonly slice: string; readonly challenger: number; readonly champion: number }[];
}

const KEYS = new Set(['metric', 'threshold', 'minAbsoluteChange', 'minRelativeChange', 'greaterIsBetter', 'slices', 'maxDrop', 'minRows']);

/** Checks a gates file's content: an array of {@link Gate}s (or `{ gates: [...] }`). */
export function parseGates(value: unknown, path: string): Gate[] {
  const list = Array.isArray(value) ? value : (value as { gates?: unknown })?.gates;
  const bad = (i: number, message: string): never => {
    throw new EdgewatchError(ErrorCode.MANIFEST_INVALID, `${path}: gate ${i}: ${message}`, { path, gate: i });
  };
  if (!Array.isArray(list)) throw new EdgewatchError(ErrorCode.MANIFEST_INVALID, `${path}: expected an array of gates`, { path });
  return list.map((gate: unknown, i) => {
    if (typeof gate !== 'object' || gate === null || Array.isArray(gate)) return bad(i, 'not an object');
    const g = gate as Record<string, unknown>;
    for (const key of Object.keys(g)) if (!KEYS.has(key)) bad(i, `unknown field "${key}"`);
    if (typeof g.metric !== 'string' || g.metric === '') bad(i, '"metric" must name a metric');
    for (const key of ['threshold', 'minAbsoluteChange', 'minRelativeChange', 'maxDrop', 'minRows'])
      if (g[key] !== undefined && !(typeof g[key] === 'number' && Number.isFinite(g[key]))) bad(i, `"${key}" must be a number`);
    if (g.greaterIsBetter !== undefined && typeof g.greaterIsBetter !== 'boolean') bad(i, '"greaterIsBetter" must be true or false');
    if (g.greaterIsBetter === undefined && !Object.hasOwn(GREATER_IS_BETTER, g.metric as string))
      bad(i, `"greaterIsBetter" is needed for metric "${g.metric}"`);
    if (g.slices !== undefined) {
      if (typeof g.slices !== 'string' || g.slices === '') bad(i, '"slices" must name a slice kind (month, or a category input)');
      if (typeof g.maxDrop !== 'number' || g.maxDrop < 0) bad(i, 'a slice gate needs "maxDrop" ≥ 0');
      if (g.threshold !== undefined || g.minAbsoluteChange !== undefined || g.minRelativeChange !== undefined)
        bad(i, 'a slice gate takes maxDrop (and minRows), not threshold or changes');
    } else if (g.threshold === undefined && g.minAbsoluteChange === undefined && g.minRelativeChange === undefined)
      bad(i, 'give threshold, minAbsoluteChange or minRelativeChange (or slices + maxDrop)');
    return g as unknown as Gate;
  });
}

const signed = (n: number) => (n >= 0 ? `+${n}` : `${n}`);
const num = (n: number) => (Number.isFinite(n) ? Number(n.toFixed(4)).toString() : String(n));

/**
 * Judges the challenger against the champion, both evaluated on the same holdout. A metric missing from
 * an evaluation fails its gate (NaN).
 */
export function checkGates(gates: readonly Gate[], challenger: Evaluation, champion: Evaluation): GateResult[] {
  const results: GateResult[] = [];
  for (const gate of gates) {
    const up = gate.greaterIsBetter ?? GREATER_IS_BETTER[gate.metric];
    const better = (a: number, b: number) => (up ? a - b : b - a);
    if ('slices' in gate && gate.slices !== undefined) {
      const mine = challenger.slices[gate.slices] ?? {};
      const theirs = champion.slices[gate.slices] ?? {};
      const minRows = gate.minRows ?? 10;
      const failed: { slice: string; challenger: number; champion: number }[] = [];
      let worst = Number.POSITIVE_INFINITY;
      let worstPair = [Number.NaN, Number.NaN];
      for (const [slice, metrics] of Object.entries(mine)) {
        if (!Object.hasOwn(theirs, slice) || metrics.rows < minRows) continue;
        const c = metrics[gate.metric] ?? Number.NaN;
        const b = theirs[slice][gate.metric] ?? Number.NaN;
        const change = better(c, b);
        if (!(change >= -gate.maxDrop)) failed.push({ slice, challenger: c, champion: b });
        if (!(change >= worst)) {
          worst = change;
          worstPair = [c, b];
        }
      }
      results.push({
        gate: `${gate.slices} slices: ${gate.metric} drop ≤ ${gate.maxDrop}`,
        metric: gate.metric,
        passed: failed.length === 0 && Number.isFinite(worst),
        challenger: worstPair[0],
        champion: worstPair[1],
        required: Number.isFinite(worst)
          ? `no ${gate.slices} slice (≥ ${minRows} rows) worse by more than ${gate.maxDrop}`
          : `a ${gate.slices} slice with ≥ ${minRows} rows in both (none found)`,
        ...(failed.length ? { failedSlices: failed } : {}),
      });
      continue;
    }
    const g = gate as MetricGate;
    const c = challenger.metrics[g.metric] ?? Number.NaN;
    const b = champion.metrics[g.metric] ?? Number.NaN;
    const push = (name: string, passed: boolean, required: string) =>
      results.push({ gate: name, metric: g.metric, passed, challenger: c, champion: b, required });
    if (g.threshold !== undefined)
      push(`${g.metric} ${up ? '≥' : '≤'} ${g.threshold}`, better(c, g.threshold) >= 0, `${up ? 'at least' : 'at most'} ${g.threshold}`);
    if (g.minAbsoluteChange !== undefined)
      push(
        `${g.metric} change ≥ ${g.minAbsoluteChange}`,
        better(c, b) >= g.minAbsoluteChange,
        `${signed(g.minAbsoluteChange)} vs champion (${up ? 'higher' : 'lower'} is better)`,
      );
    if (g.minRelativeChange !== undefined)
      push(
        `${g.metric} relative change ≥ ${g.minRelativeChange}`,
        better(c, b) / Math.abs(b) >= g.minRelativeChange,
        `${signed(g.minRelativeChange * 100)}% vs champion`,
      );
  }
  return results;
}

/** A plain-text table of gate results (the one `retrain` prints), failing slices under their gate. */
export function formatGateTable(results: readonly GateResult[]): string {
  const rows = [['gate', 'challenger', 'champion', 'needed', 'result']];
  for (const r of results) {
    rows.push([r.gate, num(r.challenger), num(r.champion), r.required, r.passed ? 'pass' : 'FAIL']);
    for (const s of r.failedSlices ?? []) rows.push([`  ${s.slice}`, num(s.challenger), num(s.champion), '', 'FAIL']);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
