import { describe, expect, it } from 'vitest';
import { reduceWideColumns } from '../../../src/monitor/reduceWideColumns.ts';

describe('reduceWideColumns', () => {
  it('leaves narrow specs alone', () => {
    expect(reduceWideColumns(['a', 'b', 'c'])).toBeUndefined();
  });

  it('summarises wide name[i] runs by per-row mean and std and keeps narrow columns', () => {
    const columns = ['age', ...Array.from({ length: 300 }, (_, i) => `image[${i}]`), 'kind=a', 'kind=b'];
    const reduction = reduceWideColumns(columns);
    expect(reduction?.columns).toEqual(['age', 'image.mean', 'image.std', 'kind=a', 'kind=b']);
    const width = columns.length;
    const batch = new Float32Array(2 * width);
    // Row 0: image all 2 → mean 2, std 0. Row 1: image alternates 0 / 4 → mean 2, std 2.
    batch[0] = 40;
    for (let i = 0; i < 300; i++) {
      batch[1 + i] = 2;
      batch[width + 1 + i] = i % 2 === 0 ? 0 : 4;
    }
    batch[width - 1] = 1;
    batch[width + 301] = 1;
    const out = Array.from(reduction?.apply(batch, 2) ?? []);
    expect(out).toEqual([40, 2, 0, 0, 1, 0, 2, 2, 1, 0]);
  });
});
