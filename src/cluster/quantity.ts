/** A resource quantity as an exact fraction: numerator / denominator (both > 0n for denominator). */
export interface Fraction {
  n: bigint;
  d: bigint;
}

const binary: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const decimal: Record<string, number> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

/**
 * A Kubernetes quantity ("100m", "1.5Gi", "2e3", "129M"), exactly (k8s.io/apimachinery
 * resource.ParseQuantity's grammar); undefined when it is not one.
 */
export function parseQuantity(text: string | number): Fraction | undefined {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:([eE][+-]?\d+)|([a-zA-Z]*))$/.exec(String(text).trim());
  if (!m || (m[2] === "" && !m[3])) return undefined;
  const [, sign, whole = "", frac = "", exponent, suffix = ""] = m;
  let n = BigInt(`${whole}${frac}` || "0") * (sign === "-" ? -1n : 1n);
  let d = 10n ** BigInt(frac.length);
  const power = exponent ? Number(exponent.slice(1)) : decimal[suffix];
  if (power !== undefined) {
    if (power >= 0) n *= 10n ** BigInt(power);
    else d *= 10n ** BigInt(-power);
  } else if (binary[suffix] !== undefined) n *= 2n ** BigInt(binary[suffix]);
  else return undefined;
  return { n, d };
}

/** ceil(a / b) for fractions, b > 0. */
export function ceilDivide(a: Fraction, b: Fraction): bigint {
  const num = a.n * b.d;
  const den = a.d * b.n;
  const q = num / den;
  return num % den !== 0n && num > 0n === den > 0n ? q + 1n : q;
}

/** ceil(q * 1000): Quantity.MilliValue(). */
export function milliValue(q: Fraction): bigint {
  return ceilDivide({ n: q.n * 1000n, d: q.d }, { n: 1n, d: 1n });
}

/** ceil(q): Quantity.Value(). */
export function wholeValue(q: Fraction): bigint {
  return ceilDivide(q, { n: 1n, d: 1n });
}
