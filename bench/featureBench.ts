/**
 * The feature-pipeline benchmark itself, environment-free so the same code runs in Node and in a browser
 * worker: compiled pipeline vs the object-per-row baseline, on the same records, at several batch sizes.
 */
import { compile } from '../src/features/compile.ts';
import type { FeatureSpec, RawRecord } from '../src/features/FeatureSpec.ts';
import { naiveFeatures } from './naiveFeatures.ts';

/** Throughput of one implementation at one batch size. */
export interface BenchCase {
  readonly impl: 'compiled' | 'naive';
  readonly batch: number;
  /** Median over timing rounds. */
  readonly valuesPerSec: number;
  readonly rowsPerSec: number;
  readonly rounds: number;
}

/** One environment's results. */
export interface BenchRun {
  readonly environment: string;
  readonly width: number;
  readonly records: number;
  /** The two implementations gave the same Float32 values for every record. */
  readonly identical: boolean;
  readonly cases: readonly BenchCase[];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** Splits records into consecutive batches (done before timing so slicing is not measured). */
function batchesOf(records: readonly RawRecord[], size: number): RawRecord[][] {
  const batches: RawRecord[][] = [];
  for (let i = 0; i + size <= records.length; i += size) batches.push(records.slice(i, i + size));
  return batches;
}

/**
 * Times `run` over the batches in rounds of at least `roundMs`, for `totalMs` after a warm-up, and returns
 * the median round's rows per second. A checksum of the outputs keeps the work from being optimised away.
 */
function time(run: (batch: RawRecord[]) => Float32Array, batches: RawRecord[][], totalMs: number, roundMs: number) {
  let sink = 0;
  const warmUntil = performance.now() + totalMs / 4;
  for (let i = 0; performance.now() < warmUntil; i++) sink += run(batches[i % batches.length])[0];
  const rates: number[] = [];
  const stop = performance.now() + totalMs;
  let next = 0;
  while (performance.now() < stop || rates.length < 3) {
    const started = performance.now();
    let rows = 0;
    do {
      const batch = batches[next++ % batches.length];
      sink += run(batch)[0];
      rows += batch.length;
    } while (performance.now() - started < roundMs);
    rates.push(rows / ((performance.now() - started) / 1000));
  }
  return { rowsPerSec: median(rates), rounds: rates.length, sink };
}

/** Runs every case; `totalMs` per case. */
export function runFeatureBench(
  environment: string,
  spec: FeatureSpec,
  records: readonly RawRecord[],
  batchSizes: readonly number[],
  totalMs = 1000,
): BenchRun {
  const compiled = compile(spec);
  const reference = Float32Array.from(compiled.transform(records));
  const baseline = naiveFeatures(spec, records);
  const identical = reference.length === baseline.length && reference.every((v, i) => Object.is(v, baseline[i]));
  const cases: BenchCase[] = [];
  for (const batch of batchSizes) {
    const batches = batchesOf(records, batch);
    for (const impl of ['compiled', 'naive'] as const) {
      const run = impl === 'compiled' ? (b: RawRecord[]) => compiled.transform(b) : (b: RawRecord[]) => naiveFeatures(spec, b);
      const { rowsPerSec, rounds } = time(run, batches, totalMs, 20);
      cases.push({ impl, batch, rowsPerSec, valuesPerSec: rowsPerSec * compiled.width, rounds });
    }
  }
  return { environment, width: compiled.width, records: records.length, identical, cases };
}
