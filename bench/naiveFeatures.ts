/**
 * The baseline the compiled pipeline is measured against: the straightforward way to write feature code —
 * one object per record, a switch per step per value, `Object.values` and a flatten at the end. It covers the
 * ops of the weather spec and computes the same values (the bench checks that before timing anything).
 */
import { EdgewatchError, ErrorCode } from '../src/errors.ts';
import type { FeatureSpec, RawRecord } from '../src/features/FeatureSpec.ts';

const DAY_MS = 86_400_000;

/** Features of `records` under `spec`, row by row, as a row-major Float32Array. */
export function naiveFeatures(spec: FeatureSpec, records: readonly RawRecord[]): Float32Array {
  const rows = records.map((record, row) => {
    const features: Record<string, number> = {};
    for (const feature of spec.features) {
      const input = spec.inputs.find((candidate) => candidate.name === feature.input);
      if (!input) throw new EdgewatchError(ErrorCode.MANIFEST_INVALID, `unknown input ${feature.input}`);
      const raw = record[input.name];
      let value: number;
      if (raw === null || raw === undefined) {
        if (!input.nullable) throw new EdgewatchError(ErrorCode.INPUT_INVALID, `${input.name} is missing`, { field: input.name, row });
        value = Number.NaN;
      } else if (input.type === 'timestamp') {
        value = typeof raw === 'string' ? Date.parse(raw) : Number(raw);
      } else if (typeof raw === 'number') {
        value = raw;
      } else {
        throw new EdgewatchError(ErrorCode.INPUT_INVALID, `${input.name} is not a number`, { field: input.name, row });
      }
      if (!Number.isFinite(value) && !Number.isNaN(value))
        throw new EdgewatchError(ErrorCode.INPUT_INVALID, `${input.name} is not finite`, { field: input.name, row });
      if (value < (input.min ?? -Infinity) || value > (input.max ?? Infinity)) {
        throw new EdgewatchError(ErrorCode.INPUT_INVALID, `${input.name} is out of range`, { field: input.name, row });
      }
      let outputs: Record<string, number> = { [feature.name]: value };
      for (const step of feature.steps) {
        switch (step.op) {
          case 'impute':
            if (Number.isNaN(value)) value = step.value as number;
            break;
          case 'log1p':
            value = Math.log1p(value);
            break;
          case 'standardize':
            value = (value - (step.mean as number)) / (step.std as number);
            break;
          case 'datePart': {
            if (step.part !== 'dayOfYear' || !step.cyclical) throw new Error('naive baseline: only cyclical dayOfYear');
            const date = new Date(value);
            const day = Math.floor((value - Date.UTC(date.getUTCFullYear(), 0, 1)) / DAY_MS);
            const phase = (2 * Math.PI * day) / 366;
            outputs = { [`${feature.name}.sin`]: Math.sin(phase), [`${feature.name}.cos`]: Math.cos(phase) };
            continue;
          }
          default:
            throw new Error(`naive baseline: op ${step.op} not covered`);
        }
        outputs = { [feature.name]: value };
      }
      Object.assign(features, outputs);
    }
    return features;
  });
  return Float32Array.from(rows.flatMap((features) => Object.values(features)));
}
