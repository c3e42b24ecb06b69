/** Parses `1.2.3` (pre-release and build tags ignored); null when malformed. */
function parse(version: string): [number, number, number] | null {
  const match = /^v?(\d+)(?:\.(\d+|x|\*))?(?:\.(\d+|x|\*))?/.exec(version.trim());
  if (!match) return null;
  const part = (s: string | undefined) => (s === undefined || s === 'x' || s === '*' ? 0 : Number(s));
  return [part(match[1]), part(match[2]), part(match[3])];
}

function compare(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return 0;
}

/**
 * Whether `version` satisfies `range`: space-separated comparators that must all hold — `>=1.2.0`, `<2`,
 * `=1.0.0`, `^1.2.3`, `~1.2.3`, `1.x`, `*`. The subset registry requirements need, without a dependency.
 */
export function satisfies(version: string, range: string): boolean {
  const v = parse(version);
  if (!v) return false;
  return range
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .every((comparator) => {
      if (comparator === '*' || comparator === 'x') return true;
      const match = /^(>=|<=|>|<|=|\^|~)?(.+)$/.exec(comparator);
      const target = match ? parse(match[2]) : null;
      if (!match || !target) return false;
      const op = match[1] ?? (/[x*]/.test(match[2]) ? '~x' : '=');
      const c = compare(v, target);
      switch (op) {
        case '>=':
          return c >= 0;
        case '<=':
          return c <= 0;
        case '>':
          return c > 0;
        case '<':
          return c < 0;
        case '=':
          return c === 0;
        case '^':
          // Same leftmost non-zero part, and not below the target.
          return (
            c >= 0 && (target[0] > 0 ? v[0] === target[0] : target[1] > 0 ? v[0] === 0 && v[1] === target[1] : v[0] === 0 && v[1] === 0 && v[2] === target[2])
          );
        case '~':
          return c >= 0 && v[0] === target[0] && v[1] === target[1];
        default: {
          // `1.x` / `1.2.x`: the given parts must match.
          const given = match[2].split('.').filter((p) => p !== 'x' && p !== '*').length;
          return v.slice(0, given).every((n, i) => n === target[i]);
        }
      }
    });
}
