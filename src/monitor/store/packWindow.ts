import type { WindowSketchJSON } from '../WindowSketch.ts';

/**
 * A window as the `windows` store keeps it: the JSON's structure with its numbers taken out, and the
 * numbers in two fixed-width arrays. Fixed width is what makes a row's size depend on its bins and not
 * on its traffic: in a plain object a count of 33,000 takes more bytes than a count of 330 (decimal
 * digits in JSON, a longer varint in IndexedDB's structured clone), here every count takes 4 bytes.
 * With quantile sketches framed by the baseline (`QuantileFrame`), the row of a day with a
 * million predictions is exactly as large as that of a day with ten thousand.
 */
export interface PackedWindow {
  /** Format of this encoding. */
  readonly packed: typeof PACKED_FORMAT;
  /**
   * The window's JSON with every number replaced: a scalar by `0`, an array of numbers by `"#u"` (its
   * values are in `counts`) or `"#f"` (in `values`); strings that start with `#` get a second `#`.
   */
  readonly shape: string;
  /** Arrays of non-negative integers below 2³² (bucket and class counts), each preceded by its length. */
  readonly counts: Uint32Array;
  /** Every other number, in document order; arrays preceded by their length. */
  readonly values: Float64Array;
}

/** Format id of {@link PackedWindow}. */
export const PACKED_FORMAT = 1;

const U32_MAX = 0xffff_ffff;

function isCountArray(values: readonly number[]): boolean {
  for (const v of values) if (!(Number.isInteger(v) && v >= 0 && v <= U32_MAX)) return false;
  return true;
}

/** Encodes a window for storage; {@link unpackWindow} restores an equal JSON (NaN and ±Infinity included). */
export function packWindow(window: WindowSketchJSON): PackedWindow {
  const counts: number[] = [];
  const values: number[] = [];
  const walk = (v: unknown): unknown => {
    if (typeof v === 'number') {
      values.push(v);
      return 0;
    }
    if (typeof v === 'string') return v.startsWith('#') ? `#${v}` : v;
    if (Array.isArray(v)) {
      if (v.every((x) => typeof x === 'number')) {
        const into = isCountArray(v) ? counts : values;
        into.push(v.length);
        for (const x of v) into.push(x);
        return into === counts ? '#u' : '#f';
      }
      return v.map(walk);
    }
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, x] of Object.entries(v)) if (x !== undefined) out[key] = walk(x);
      return out;
    }
    return v;
  };
  const shape = JSON.stringify(walk(window));
  return { packed: PACKED_FORMAT, shape, counts: Uint32Array.from(counts), values: Float64Array.from(values) };
}

/** Whether a stored window is packed (rows written before packing hold the plain JSON). */
export function isPackedWindow(window: WindowSketchJSON | PackedWindow): window is PackedWindow {
  return (window as PackedWindow).packed === PACKED_FORMAT;
}

/** Decodes {@link packWindow}'s output; a plain JSON window (an older row) is returned as it is. */
export function unpackWindow(window: WindowSketchJSON | PackedWindow): WindowSketchJSON {
  if (!isPackedWindow(window)) return window;
  const { counts, values } = window;
  let c = 0;
  let f = 0;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'number') return values[f++];
    if (v === '#u') {
      const n = counts[c++];
      c += n;
      return Array.from(counts.subarray(c - n, c));
    }
    if (v === '#f') {
      const n = values[f++];
      f += n;
      return Array.from(values.subarray(f - n, f));
    }
    if (typeof v === 'string') return v.startsWith('#') ? v.slice(1) : v;
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, x] of Object.entries(v)) out[key] = walk(x);
      return out;
    }
    return v;
  };
  return walk(JSON.parse(window.shape)) as WindowSketchJSON;
}
