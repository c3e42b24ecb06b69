/**
 * RFC 8785 (JSON Canonicalization Scheme) serialisation: object members sorted by the UTF-16 code units
 * of their names, no whitespace, numbers in ECMAScript `Number.prototype.toString` form and strings with
 * JSON's minimal escaping — which is exactly what `JSON.stringify` does for primitives, so only the
 * structure needs handling here. The signature covers these bytes, so publisher and device agree on them
 * whatever key order or spacing the manifest file happens to have.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('canonicalJson: NaN and Infinity have no JSON form');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item === undefined ? null : item)).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    // Default sort compares UTF-16 code units, as RFC 8785 §3.2.3 requires.
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  throw new TypeError(`canonicalJson: cannot serialise a ${typeof value}`);
}
