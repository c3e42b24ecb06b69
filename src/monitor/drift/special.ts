/**
 * Special functions the drift tests need, written from their textbook definitions
 * (Stirling series, Legendre's continued fraction, Kolmogorov's theta series, the
 * Durbin matrix formula as presented by Marsaglia, Tsang & Wang 2003, and Vrbik's 2018
 * small-sample correction of the Kolmogorov limit law).
 */

const HALF_LN_2PI = 0.5 * Math.log(2 * Math.PI);
const EPSILON = 1e-16;
const TINY = 1e-300;

/**
 * Natural log of the gamma function for `x > 0`.
 *
 * Shifts the argument up to ≥ 15 with `Γ(x+1) = xΓ(x)` and then uses the Stirling series,
 * whose terms up to `z⁻¹³` are below double precision there.
 */
export function lnGamma(x: number): number {
  if (!(x > 0)) return Number.NaN;
  let z = x;
  let product = 1;
  while (z < 15) {
    product *= z;
    z += 1;
  }
  const z2 = 1 / (z * z);
  // Bernoulli-number coefficients B₂ₖ / (2k(2k−1)) for k = 1…7
  const series = (1 / z) * (1 / 12 + z2 * (-1 / 360 + z2 * (1 / 1260 + z2 * (-1 / 1680 + z2 * (1 / 1188 + z2 * (-691 / 360360 + z2 * (1 / 156)))))));
  return (z - 0.5) * Math.log(z) - z + HALF_LN_2PI + series - Math.log(product);
}

/** `xᵃ e⁻ˣ / Γ(a)`, the common prefactor of both incomplete-gamma expansions, in log space. */
function gammaPrefactor(a: number, x: number): number {
  return Math.exp(a * Math.log(x) - x - lnGamma(a));
}

/**
 * Regularized upper incomplete gamma function `Q(a, x) = Γ(a, x) / Γ(a)` for `a > 0`, `x ≥ 0`
 * (scipy's `gammaincc`). `Q(k/2, s/2)` is the chi-square survival function with `k` degrees of freedom.
 *
 * Below `x = a + 1` the power series for `P = 1 − Q` converges fast and `Q` is not small, so the
 * subtraction is harmless; above it the continued fraction gives `Q` directly, keeping full
 * relative accuracy deep in the tail where p-values live.
 */
export function regularizedUpperGamma(a: number, x: number): number {
  if (!(a > 0) || !(x >= 0)) return Number.NaN;
  if (x === 0) return 1;
  if (x === Infinity) return 0;
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < 10_000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * EPSILON) break;
    }
    return Math.max(0, 1 - sum * gammaPrefactor(a, x));
  }
  // Legendre's continued fraction Γ(a,x) = e⁻ˣxᵃ / (x+1−a− 1(1−a)/(x+3−a− 2(2−a)/(x+5−a− …))),
  // evaluated with the modified Lentz method
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10_000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPSILON) break;
  }
  return gammaPrefactor(a, x) * h;
}

/** Survival function of the chi-square distribution, `P(X > statistic)` with `dof` degrees of freedom. */
export function chiSquareSf(statistic: number, dof: number): number {
  if (Number.isNaN(statistic)) return Number.NaN;
  if (statistic <= 0) return 1;
  return regularizedUpperGamma(dof / 2, statistic / 2);
}

/**
 * Survival function of the limiting Kolmogorov distribution, `P(K > x)` where `K = lim √n·Dₙ`
 * (scipy's `kstwobign.sf`).
 *
 * Two series for the same function: the alternating one `2Σ(−1)^(k−1) e^(−2k²x²)` converges in a
 * few terms for large `x`, the theta-transformed one `√(2π)/x Σ e^(−(2k−1)²π²/(8x²))` (the CDF) for small `x`.
 */
export function kolmogorovSf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x <= 0) return 1;
  if (x < 1) {
    const w = (Math.PI * Math.PI) / (8 * x * x);
    let cdf = 0;
    for (let k = 1; k < 100; k++) {
      const term = Math.exp(-(2 * k - 1) * (2 * k - 1) * w);
      cdf += term;
      if (term < EPSILON * cdf || term === 0) break;
    }
    return 1 - (Math.sqrt(2 * Math.PI) / x) * cdf;
  }
  let sum = 0;
  for (let k = 1; k < 100; k++) {
    const term = Math.exp(-2 * k * k * x * x);
    sum += k % 2 === 1 ? term : -term;
    if (term < EPSILON * sum || term === 0) break;
  }
  return Math.min(1, Math.max(0, 2 * sum));
}

/**
 * Work budget (≈ m³·log₂n multiply-adds, tens of milliseconds) for the exact Durbin evaluation;
 * beyond it the corrected limit law is used (see below).
 */
const MAX_DURBIN_WORK = 1.5e7;
/** Below this the corrected limit law is used even when exact is affordable: `1 − cdf` has no digits left there. */
const TAIL_SWITCH = 1e-6;
const SCALE = 1e140;
const SCALE_EXPONENT = 140;

/** Square-matrix product `a·b` for row-major `m×m` matrices. */
function matMul(a: Float64Array, b: Float64Array, m: number): Float64Array {
  const out = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let k = 0; k < m; k++) {
      const aik = a[i * m + k];
      if (aik === 0) continue;
      const rowB = k * m;
      const rowOut = i * m;
      for (let j = 0; j < m; j++) out[rowOut + j] += aik * b[rowB + j];
    }
  }
  return out;
}

/** `Hⁿ` as `{matrix, exponent}` with value `matrix·10^exponent`: the entries outgrow doubles otherwise. */
function matPow(h: Float64Array, m: number, n: number, centre: number): { matrix: Float64Array; exponent: number } {
  if (n === 1) return { matrix: h, exponent: 0 };
  const half = matPow(h, m, Math.floor(n / 2), centre);
  let matrix = matMul(half.matrix, half.matrix, m);
  let exponent = 2 * half.exponent;
  if (n % 2 === 1) matrix = matMul(h, matrix, m);
  if (matrix[centre] > SCALE) {
    for (let i = 0; i < matrix.length; i++) matrix[i] /= SCALE;
    exponent += SCALE_EXPONENT;
  }
  return { matrix, exponent };
}

/** `P(Dₙ < d)` by the Durbin matrix formula: `n!/nⁿ · (Hⁿ)ₖₖ` with `nd = k − h`. */
function durbinCdf(d: number, n: number, k: number): number {
  const h = k - n * d;
  const m = 2 * k - 1;
  const factorial = new Float64Array(m + 1);
  factorial[0] = 1;
  for (let i = 1; i <= m; i++) factorial[i] = factorial[i - 1] * i;
  const H = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      if (i - j + 1 >= 0) H[i * m + j] = 1 / factorial[i - j + 1];
    }
  }
  for (let i = 0; i < m; i++) {
    H[i * m] -= h ** (i + 1) / factorial[i + 1];
    H[(m - 1) * m + i] -= h ** (m - i) / factorial[m - i];
  }
  if (2 * h - 1 > 0) H[(m - 1) * m] += (2 * h - 1) ** m / factorial[m];
  const centre = (k - 1) * m + (k - 1);
  const { matrix, exponent } = matPow(H, m, n, centre);
  let value = matrix[centre];
  let exp10 = exponent;
  // multiply by n!/nⁿ one factor at a time, rescaling before it underflows
  for (let i = 1; i <= n; i++) {
    value = (value * i) / n;
    if (value < 1 / SCALE) {
      value *= SCALE;
      exp10 -= SCALE_EXPONENT;
    }
  }
  return value * 10 ** exp10;
}

/**
 * Survival function of the one-sample Kolmogorov–Smirnov statistic for sample size `n`,
 * `P(Dₙ > d)` (scipy's `kstwo.sf(d, n)`), which scipy's two-sample `'asymp'` mode evaluates at
 * `n = round(n₁n₂/(n₁+n₂))`.
 *
 * Exact (Durbin's matrix formula) while the matrix stays small; for larger `n·d`, where `n` is
 * necessarily large whenever the p-value is not negligible, and for p-values below 1e-6, it uses
 * the limit law at Vrbik's small-sample-corrected argument `z + 1/(6√n) + (z − 1)/(4n)` with
 * `z = √n·d`. Against the exact value that is within 3e-4 at n = 50 and about 1e-5 at n = 800;
 * it beats Stephens' `(√n + 0.12 + 0.11/√n)·d` by two orders of magnitude in the body.
 */
export function kolmogorovSmirnovSf(d: number, n: number): number {
  if (Number.isNaN(d) || !(n >= 1)) return Number.NaN;
  if (d <= 0) return 1;
  if (d >= 1) return 0;
  // Dₙ ≥ 1/(2n) always, and above 1 − 1/n only the two extreme staircases remain
  if (d <= 1 / (2 * n)) return 1;
  if (d >= 1 - 1 / n) return 2 * (1 - d) ** n;
  const sqrtN = Math.sqrt(n);
  const z = sqrtN * d;
  const corrected = kolmogorovSf(z + 1 / (6 * sqrtN) + (z - 1) / (4 * n));
  if (corrected < TAIL_SWITCH) return corrected;
  const k = Math.ceil(n * d);
  const m = 2 * k - 1;
  if (m * m * m * Math.ceil(Math.log2(n) + 1) > MAX_DURBIN_WORK) return corrected;
  return Math.min(1, Math.max(0, 1 - durbinCdf(d, n, k)));
}

/** `P(|Z| > |z|)` for a standard normal: `erfc(|z|/√2)`, by series below 2 and continued fraction above. */
export function normalTwoSided(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  // erfc by its continued fraction for x > 2, and by the Taylor series of erf below
  if (x < 2) {
    let sum = x;
    let term = x;
    for (let n = 1; n < 60; n++) {
      term *= (-x * x) / n;
      sum += term / (2 * n + 1);
    }
    return Math.min(1, Math.max(0, 1 - (2 / Math.sqrt(Math.PI)) * sum));
  }
  let f = 0;
  for (let n = 60; n >= 1; n--) f = n / 2 / (x + f);
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / (x + f);
}
