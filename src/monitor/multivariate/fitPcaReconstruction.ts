import { PCA_RECONSTRUCTION, PcaReconstruction, type PcaReconstructionJSON } from './PcaReconstruction.ts';

/** Options of {@link fitPcaReconstruction}; the defaults are NannyML's. */
export interface FitPcaOptions {
  /** Share of the standardised variance the components must explain (strictly more than). Default 0.65. */
  readonly variance?: number;
  /** Reference chunks the thresholds come from. Default 10. */
  readonly chunks?: number;
}

/** Most columns fitted (Jacobi on a `d × d` covariance is `O(d³)` a sweep); wider specs get no model. */
export const MAX_PCA_COLUMNS = 256;

/**
 * Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations: eigenvalues descending, and the
 * eigenvectors as rows. Accurate to rounding for the small covariances of model features.
 */
export function symmetricEigen(matrix: Float64Array, d: number): { values: number[]; vectors: number[][] } {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(d * d);
  for (let i = 0; i < d; i++) v[i * d + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < d; i++) for (let j = i + 1; j < d; j++) off += a[i * d + j] ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < d; p++) {
      for (let q = p + 1; q < d; q++) {
        const apq = a[p * d + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * d + q] - a[p * d + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < d; k++) {
          const akp = a[k * d + p];
          const akq = a[k * d + q];
          a[k * d + p] = c * akp - s * akq;
          a[k * d + q] = s * akp + c * akq;
        }
        for (let k = 0; k < d; k++) {
          const apk = a[p * d + k];
          const aqk = a[q * d + k];
          a[p * d + k] = c * apk - s * aqk;
          a[q * d + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < d; k++) {
          const vkp = v[k * d + p];
          const vkq = v[k * d + q];
          v[k * d + p] = c * vkp - s * vkq;
          v[k * d + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: d }, (_, i) => i).sort((x, y) => a[y * d + y] - a[x * d + x]);
  return {
    values: order.map((i) => a[i * d + i]),
    vectors: order.map((i) => Array.from({ length: d }, (_, k) => v[k * d + i])),
  };
}

/**
 * Fits NannyML's data-reconstruction model on training rows (row-major `[rows, columns.length]`):
 * standardises each column (population σ; NaN rows of a column read as its mean), keeps the fewest
 * principal components explaining more than 65 % of the variance, and records the mean reconstruction
 * error of each of 10 reference chunks, from which the report's mean ± 3σ band comes. Undefined for
 * fewer than two columns, more than {@link MAX_PCA_COLUMNS}, or too few rows for 10 chunks of 2.
 */
export function fitPcaReconstruction(
  features: ArrayLike<number>,
  rows: number,
  columns: readonly string[],
  options: FitPcaOptions = {},
): PcaReconstructionJSON | undefined {
  const d = columns.length;
  const chunkCount = options.chunks ?? 10;
  if (d < 2 || d > MAX_PCA_COLUMNS || rows < 2 * chunkCount) return undefined;
  const mean = new Float64Array(d);
  const count = new Float64Array(d);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < d; j++) {
      const x = features[r * d + j];
      if (Number.isFinite(x)) {
        count[j]++;
        mean[j] += (x - mean[j]) / count[j];
      }
    }
  }
  const m2 = new Float64Array(d);
  const z = new Float64Array(rows * d);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < d; j++) {
      const x = features[r * d + j];
      if (Number.isFinite(x)) m2[j] += (x - mean[j]) ** 2;
    }
  }
  const scale = Array.from(m2, (s, j) => {
    const sd = count[j] > 0 ? Math.sqrt(s / count[j]) : 0;
    return sd > 0 ? sd : 1;
  });
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < d; j++) {
      const x = features[r * d + j];
      z[r * d + j] = Number.isFinite(x) ? (x - mean[j]) / scale[j] : 0;
    }
  }
  const covariance = new Float64Array(d * d);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < d; i++) {
      const zi = z[r * d + i];
      if (zi === 0) continue;
      for (let j = i; j < d; j++) covariance[i * d + j] += zi * z[r * d + j];
    }
  }
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      covariance[i * d + j] /= rows;
      covariance[j * d + i] = covariance[i * d + j];
    }
  }
  const { values, vectors } = symmetricEigen(covariance, d);
  const total = values.reduce((s, x) => s + Math.max(0, x), 0);
  if (!(total > 0)) return undefined;
  const target = options.variance ?? 0.65;
  let k = 0;
  let explained = 0;
  while (k < d && !(explained > target)) explained += Math.max(0, values[k++]) / total;
  const model: PcaReconstructionJSON = {
    schema: PCA_RECONSTRUCTION,
    columns: [...columns],
    mean: Array.from(mean),
    scale,
    components: vectors.slice(0, k),
    explained,
    chunkSize: Math.floor(rows / chunkCount),
    chunks: [],
  };
  const pca = new PcaReconstruction(model);
  const chunkSize = model.chunkSize;
  const chunks: number[] = [];
  for (let c = 0; c < chunkCount; c++) {
    let sum = 0;
    for (let r = c * chunkSize; r < (c + 1) * chunkSize; r++) sum += pca.error(features, r, d);
    chunks.push(sum / chunkSize);
  }
  return { ...model, chunks };
}
