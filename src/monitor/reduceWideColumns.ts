/** How a batch of very wide features (an image, an embedding) is summarised before it is sketched. */
export interface ColumnReduction {
  /** Names of the summary columns, e.g. `image.mean`, `image.std`, plus the narrow columns kept as they are. */
  readonly columns: readonly string[];
  /** Row-major `[rows, columns.length]` summary of a row-major `[rows, width]` batch (a reused buffer). */
  apply(batch: ArrayLike<number>, rows: number): Float32Array;
}

type Group = { readonly key: string; readonly from: number; readonly size: number };

/**
 * Per-column sketches are the right tool for tabular features, and the wrong one for a 150,528-column
 * image: a sketch per pixel costs seconds per batch and says nothing a person can act on. Above
 * `maxColumns`, each feature wider than `wideAt` columns (a `name[i]` run) is summarised per row by its
 * mean and standard deviation — brightness and contrast for an image, scale for an embedding — which
 * drift where the inputs do. Narrow features keep their own columns. Returns undefined when the spec
 * is narrow enough to sketch as it is.
 */
export function reduceWideColumns(columns: readonly string[], maxColumns = 256, wideAt = 16): ColumnReduction | undefined {
  if (columns.length <= maxColumns) return undefined;
  const groups: Group[] = [];
  for (let i = 0; i < columns.length; i++) {
    const key = columns[i].replace(/\[\d+\]$/, '');
    const last = groups.at(-1);
    if (last && last.key === key && key !== columns[i]) groups[groups.length - 1] = { ...last, size: last.size + 1 };
    else groups.push({ key, from: i, size: 1 });
  }
  const names: string[] = [];
  for (const g of groups) {
    if (g.size > wideAt) names.push(`${g.key}.mean`, `${g.key}.std`);
    else for (let j = 0; j < g.size; j++) names.push(columns[g.from + j]);
  }
  const width = columns.length;
  const outWidth = names.length;
  let buffer = new Float32Array(0);
  return {
    columns: names,
    apply(batch, rows) {
      if (buffer.length < rows * outWidth) buffer = new Float32Array(rows * outWidth);
      for (let r = 0; r < rows; r++) {
        let at = r * outWidth;
        const base = r * width;
        for (const g of groups) {
          if (g.size > wideAt) {
            let sum = 0;
            let squares = 0;
            for (let j = 0; j < g.size; j++) {
              const value = batch[base + g.from + j];
              sum += value;
              squares += value * value;
            }
            const mean = sum / g.size;
            buffer[at++] = mean;
            buffer[at++] = Math.sqrt(Math.max(0, squares / g.size - mean * mean));
          } else {
            for (let j = 0; j < g.size; j++) buffer[at++] = batch[base + g.from + j];
          }
        }
      }
      return buffer.subarray(0, rows * outWidth);
    },
  };
}
