import { EdgewatchError, ErrorCode } from '../errors.ts';
import { readManifest } from './publish.ts';
import { checkSafeName } from './safeName.ts';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const fmt = (v: unknown) => (typeof v === 'number' ? Number(v.toFixed(4)).toString() : String(v));

/** The headline holdout metrics of a version's `metrics` (a retrain's `holdout`, or the demo's flat fields). */
function headline(metrics: Record<string, unknown> | undefined): string {
  if (!metrics) return '';
  const holdout = isObject(metrics.holdout) ? metrics.holdout : undefined;
  const pairs = holdout ? Object.entries(holdout) : Object.entries(metrics).filter(([k, v]) => /^holdout/.test(k) && typeof v === 'number');
  return pairs.map(([k, v]) => `${k} ${fmt(v)}`).join(', ');
}

/**
 * `edgewatch history`: a model's lineage as lines of text — each version with the channels serving it,
 * whether it came in as a candidate, its parent, the data's digest, recipe and seed, its holdout metrics
 * and gates — then the audit log's entries for the model, oldest first.
 *
 * @throws EdgewatchError `UNKNOWN_MODEL` when the registry has no such model.
 */
export function history(registry: string, name: string): string[] {
  checkSafeName('name', name);
  const manifest = readManifest(registry);
  if (!Object.hasOwn(manifest.models, name)) throw new EdgewatchError(ErrorCode.UNKNOWN_MODEL, `${registry} has no model "${name}"`, { name });
  const model = manifest.models[name];
  const lines = [`${name}: ${Object.keys(model.versions).length} version(s), manifest sequence ${manifest.sequence ?? 0}`];
  for (const [version, entry] of Object.entries(model.versions)) {
    const channels = Object.entries(model.channels)
      .filter(([, v]) => (typeof v === 'string' ? v === version : v.includes(version)))
      .map(([c, v]) => (typeof v !== 'string' && v[0] === version && entry.rollout ? `${c} ${entry.rollout.percent}%` : c));
    const t = (entry.training ?? {}) as Record<string, unknown>;
    const gates = Array.isArray(t.gates) ? (t.gates as { passed?: boolean }[]) : undefined;
    lines.push(
      `  ${version}${t.candidate === true ? ' (candidate)' : ''}  channels: ${channels.length ? channels.join(', ') : '—'}  parent: ${t.parent === undefined ? '—' : fmt(t.parent)}`,
    );
    const data = typeof t.dataSha256 === 'string' ? `${fmt(t.data)} sha256:${t.dataSha256}` : t.data !== undefined ? fmt(t.data) : '—';
    lines.push(`      data: ${data}${t.recipe !== undefined ? `  recipe: ${fmt(t.recipe)}` : ''}${t.seed !== undefined ? `  seed: ${fmt(t.seed)}` : ''}`);
    const metrics = headline(entry.metrics as Record<string, unknown> | undefined);
    if (metrics) lines.push(`      holdout: ${metrics}`);
    if (gates) lines.push(`      gates: ${gates.filter((g) => g.passed).length}/${gates.length} passed`);
  }
  const audit = (manifest.audit ?? []).filter((e) => e.model === name);
  lines.push(`audit (${audit.length}):`);
  for (const e of audit) {
    const where = e.channel ? ` → ${e.channel}${e.percent !== undefined ? ` ${e.percent}%` : ''}` : '';
    const gates = e.gates ? `  gates ${e.gates.filter((g) => g.passed === true).length}/${e.gates.length}` : '';
    lines.push(`  ${e.at}  ${e.by}  ${e.action} ${e.version}${where}${gates}${e.digest ? `  digest ${e.digest.slice(0, 16)}` : ''}`);
  }
  return lines;
}
