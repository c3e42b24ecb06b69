import { DriftVerdict } from '../monitor/drift/detectDrift.ts';
import type { DriftReport } from '../monitor/summary/DriftReport.ts';
import type { LookBack } from './parseWindow.ts';

/** What drifted besides the features, in words (empty when nothing did). */
function otherDrift(report: DriftReport): string[] {
  const parts: string[] = [];
  const p = report.prediction;
  if (p.kind === 'classification') {
    if (p.classes.verdict === DriftVerdict.DRIFT) parts.push('the predicted classes shifted');
    if (p.confidence.verdict === DriftVerdict.DRIFT) parts.push("the model's confidence shifted");
  } else {
    const drifted = p.outputs.filter((o) => o.verdict === DriftVerdict.DRIFT).map((o) => o.name);
    if (drifted.length > 0) parts.push(`the predicted ${drifted.join(', ')} drifted`);
  }
  if (report.quality.conceptDrift) parts.push('label feedback shows concept drift');
  return parts;
}

/**
 * The overall verdict of a report in words, the first thing a reader sees. It opens with the verdict
 * itself, so it is never "No drift" when something drifted: "2 of 6 features drifted: temp_max,
 * temp_min; the predicted classes shifted", "Drift in the last 24 hours: label feedback shows concept
 * drift; no feature drifted", "No drift in the last 24 hours", or "Not enough data … to judge drift yet".
 */
export function overallVerdict(report: DriftReport, predictions: number, look: LookBack, minSampleSize = 50): string {
  const drifted = report.driftedFeatures;
  const total = report.features.length;
  const others = otherDrift(report);
  const unjudged = total > 0 && report.features.every((f) => f.verdict === DriftVerdict.INSUFFICIENT_DATA);
  if (drifted.length > 0) return [`${drifted.length} of ${total} features drifted: ${drifted.join(', ')}`, ...others].join('; ');
  // What is short is sketched values per feature, which is fewer than predictions when the budget samples.
  const values = unjudged ? Math.max(...report.features.map((f) => f.count)) : 0;
  const sampled = report.health.sketchedRate < 1 ? ` (${values} of ${predictions} predictions sketched under the monitoring budget)` : '';
  const shortOfData = `${values} values per feature, ${minSampleSize} needed${sampled}`;
  if (others.length > 0) {
    const features = unjudged ? `too few values to judge the features yet (${shortOfData})` : total > 0 ? 'no feature drifted' : '';
    return [`Drift in ${look.words}: ${others.join(' and ')}`, ...(features ? [features] : [])].join('; ');
  }
  if (unjudged) return `Not enough data in ${look.words} to judge drift yet: ${shortOfData}`;
  return `No drift in ${look.words}`;
}
