import { mulberry32 } from '../src/demo/random.ts';

/** A seeded error stream: what the change detectors read from label feedback. */
export interface ErrorStream {
  readonly name: string;
  readonly kind: 'classification' | 'regression';
  readonly values: Float64Array;
  /** Index of the first changed value, or undefined for a stable stream. */
  readonly change?: number;
}

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** 0/1 errors at rate `before`, then `after` from `change` on. */
export function binaryErrors(n: number, seed: number, before: number, after = before, change = n): Float64Array {
  const random = mulberry32(seed);
  return Float64Array.from({ length: n }, (_, i) => (random() < (i < change ? before : after) ? 1 : 0));
}

/** Absolute errors |N(0, σ)| in the target's units; σ is multiplied by `factor` from `change` on. */
export function absoluteErrors(n: number, seed: number, sigma: number, factor = 1, change = n): Float64Array {
  const random = mulberry32(seed);
  return Float64Array.from({ length: n }, (_, i) => Math.abs(gaussian(random)) * sigma * (i < change ? 1 : factor));
}

/** Heavy-tailed absolute errors: |t₃|-like, as a regressor with outliers gives. */
export function heavyTailedErrors(n: number, seed: number, sigma: number): Float64Array {
  const random = mulberry32(seed);
  return Float64Array.from({ length: n }, () => {
    const z = gaussian(random);
    const chi = gaussian(random) ** 2 + gaussian(random) ** 2 + gaussian(random) ** 2;
    return Math.abs(z / Math.sqrt(chi / 3)) * sigma;
  });
}

/** Error rates and units the stable streams cycle through. */
export const RATES = [0.05, 0.1, 0.2, 0.3] as const;
export const SIGMAS = [0.001, 1, 1000] as const;

/** The seeded stable streams: `seeds` classification and `seeds` regression streams of `n` values. */
export function stableStreams(seeds: number, n = 5000): ErrorStream[] {
  const out: ErrorStream[] = [];
  for (let s = 1; s <= seeds; s++) {
    const p = RATES[s % RATES.length];
    out.push({ name: `binary p=${p} seed ${s}`, kind: 'classification', values: binaryErrors(n, 1000 + s, p) });
    const sigma = SIGMAS[s % SIGMAS.length];
    out.push({
      name: `${s % 2 === 0 ? 'heavy' : 'abs-normal'} σ=${sigma} seed ${s}`,
      kind: 'regression',
      values: s % 2 === 0 ? heavyTailedErrors(n, 2000 + s, sigma) : absoluteErrors(n, 2000 + s, sigma),
    });
  }
  return out;
}

/** The seeded abrupt changes at half-way: error rate +0.15 (classifier), error spread ×1.5 (regressor). */
export function changedStreams(seeds: number, n = 5000): ErrorStream[] {
  const change = Math.floor(n / 2);
  const out: ErrorStream[] = [];
  for (let s = 1; s <= seeds; s++) {
    const p = RATES[s % RATES.length];
    out.push({ name: `binary ${p}→${p + 0.15} seed ${s}`, kind: 'classification', values: binaryErrors(n, 3000 + s, p, p + 0.15, change), change });
    const sigma = SIGMAS[s % SIGMAS.length];
    out.push({ name: `abs-normal σ=${sigma} ×1.5 seed ${s}`, kind: 'regression', values: absoluteErrors(n, 4000 + s, sigma, 1.5, change), change });
  }
  return out;
}
