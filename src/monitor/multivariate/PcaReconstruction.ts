import type { MomentsJSON } from '../sketches/Moments.ts';

/** Schema id of {@link PcaReconstructionJSON}. */
export const PCA_RECONSTRUCTION = 'edgewatch.pca-reconstruction/v1';

/**
 * A multivariate drift model fitted on the training rows (NannyML's data reconstruction drift): the
 * columns standardised, the principal components that explain 65 % of their variance, and the
 * reconstruction error of the reference in chunks. Shipped in the version's baseline; the device
 * computes each sketched row's error and the report judges the window's mean error against the
 * reference chunks' mean ± 3σ.
 */
export interface PcaReconstructionJSON {
  readonly schema: typeof PCA_RECONSTRUCTION;
  /** The model feature columns it reads, in batch order. */
  readonly columns: readonly string[];
  /** Per column: training mean and standard deviation (1 for a constant column). */
  readonly mean: readonly number[];
  readonly scale: readonly number[];
  /** `k` orthonormal components, each `columns.length` long. */
  readonly components: readonly (readonly number[])[];
  /** Share of the standardised variance they explain. */
  readonly explained: number;
  /** The reference's mean reconstruction error per chunk of `chunkSize` rows. */
  readonly chunkSize: number;
  readonly chunks: readonly number[];
}

/** The reconstruction errors a window saw (merges as moments do). */
export type ReconstructionErrorsJSON = MomentsJSON;

/**
 * Whether a shipped model fits a layout's columns: same columns, arrays of the right sizes, finite
 * numbers. A malformed one is ignored (monitoring must never throw on what a manifest brought).
 */
export function pcaFits(model: unknown, columns: readonly string[]): model is PcaReconstructionJSON {
  if (model === null || typeof model !== 'object') return false;
  const m = model as PcaReconstructionJSON;
  const d = columns.length;
  const finite = (a: unknown, n: number) => Array.isArray(a) && a.length === n && a.every((x) => typeof x === 'number' && Number.isFinite(x));
  return (
    m.schema === PCA_RECONSTRUCTION &&
    Array.isArray(m.columns) &&
    m.columns.length === d &&
    m.columns.every((c, i) => c === columns[i]) &&
    finite(m.mean, d) &&
    finite(m.scale, d) &&
    m.scale.every((s) => s > 0) &&
    Array.isArray(m.components) &&
    m.components.length > 0 &&
    m.components.every((c) => finite(c, d))
  );
}

/**
 * Per-row reconstruction error of a fitted model, allocation-free: standardise the row (a NaN reads as
 * the training mean, as NannyML imputes it), project on the components, reconstruct, and take the
 * Euclidean distance. `2·d·k` multiply-adds a row.
 */
export class PcaReconstruction {
  readonly d: number;
  readonly k: number;
  private readonly mean: Float64Array;
  private readonly inverseScale: Float64Array;
  /** Row-major `[k, d]`. */
  private readonly components: Float64Array;
  private readonly z: Float64Array;
  private readonly p: Float64Array;

  constructor(model: PcaReconstructionJSON) {
    this.d = model.columns.length;
    this.k = model.components.length;
    this.mean = Float64Array.from(model.mean);
    this.inverseScale = Float64Array.from(model.scale, (s) => 1 / s);
    this.components = new Float64Array(this.k * this.d);
    model.components.forEach((c, i) => {
      this.components.set(c, i * this.d);
    });
    this.z = new Float64Array(this.d);
    this.p = new Float64Array(this.k);
  }

  /** Error of row `row` of a row-major `[rows, width]` batch whose first `d` columns are the model's. */
  error(batch: ArrayLike<number>, row: number, width: number): number {
    const { d, k, z, p, components } = this;
    const at = row * width;
    for (let j = 0; j < d; j++) {
      const x = batch[at + j];
      // NaN (missing) → the mean; ±Infinity is no measurement either
      z[j] = x - x === 0 ? (x - this.mean[j]) * this.inverseScale[j] : 0;
    }
    for (let i = 0; i < k; i++) {
      let s = 0;
      for (let j = 0, o = i * d; j < d; j++, o++) s += components[o] * z[j];
      p[i] = s;
    }
    let squared = 0;
    for (let j = 0; j < d; j++) {
      let r = 0;
      for (let i = 0; i < k; i++) r += components[i * d + j] * p[i];
      const e = z[j] - r;
      squared += e * e;
    }
    return Math.sqrt(squared);
  }
}
