/**
 * resource.Quantity of k8s.io/apimachinery: parsed from "500m", "64Mi", "1.5", "1e3"; printed in
 * its canonical form (1.5 → "1500m", 1536Mi stays "1536Mi", 1024Mi → "1Gi", 1000 → "1k"); sums
 * keep the format of the left operand unless it is zero, as Quantity.Add does. Values are kept
 * exactly in nano units (finer precision rounds up, as ParseQuantity does).
 */
export type QuantityFormat = "DecimalSI" | "BinarySI" | "DecimalExponent";

export interface Quantity {
  nanos: bigint;
  format: QuantityFormat;
}

const nano = 1_000_000_000n;
const decimalSuffixes: Record<string, number> = {
  n: -9,
  u: -6,
  m: -3,
  "": 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const binarySuffixes: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const decimalByExponent = new Map(Object.entries(decimalSuffixes).map(([s, e]) => [e, s]));
const binaryNames = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];

const pow10 = (n: number): bigint => 10n ** BigInt(n);

/** Ceiling division for a positive divisor. */
function ceilDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a > 0n ? q + 1n : q;
}

/** ParseQuantity; undefined where the text is not a quantity. */
export function parseQuantity(text: unknown): Quantity | undefined {
  if (typeof text === "number" && Number.isFinite(text)) text = String(text);
  if (typeof text !== "string") return undefined;
  const m = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(.*)$/.exec(text.trim());
  if (!m) return undefined;
  const [, sign, number = "", suffix = ""] = m;
  const [whole = "", frac = ""] = number.split(".");
  let digits = BigInt(`${whole}${frac}` || "0");
  let exponent = -frac.length;
  let format: QuantityFormat = "DecimalSI";
  let binaryShift = 0;
  if (suffix in decimalSuffixes) exponent += decimalSuffixes[suffix]!;
  else if (suffix in binarySuffixes) {
    format = "BinarySI";
    binaryShift = binarySuffixes[suffix]!;
  } else {
    const e = /^[eE]([+-]?\d+)$/.exec(suffix);
    if (!e) return undefined;
    format = "DecimalExponent";
    exponent += Number(e[1]);
  }
  digits <<= BigInt(binaryShift);
  // digits × 10^exponent, in nano units, rounded up.
  const shift = exponent + 9;
  const nanos = shift >= 0 ? digits * pow10(shift) : ceilDiv(digits, pow10(-shift));
  return { nanos: sign === "-" ? -nanos : nanos, format };
}

/** Quantity.String(): the canonical form. */
export function formatQuantity(q: Quantity): string {
  if (q.nanos === 0n) return "0";
  const sign = q.nanos < 0n ? "-" : "";
  const abs = q.nanos < 0n ? -q.nanos : q.nanos;
  let format = q.format;
  if (format === "BinarySI" && (abs < 1024n * nano || abs % nano !== 0n)) format = "DecimalSI";
  if (format === "BinarySI") {
    let value = abs / nano;
    let step = 0;
    while (step < 6 && value % 1024n === 0n) {
      value /= 1024n;
      step++;
    }
    return `${sign}${value}${binaryNames[step]}`;
  }
  let mantissa = abs;
  let exponent = -9;
  while (mantissa % 10n === 0n) {
    mantissa /= 10n;
    exponent++;
  }
  const down = ((exponent % 3) + 3) % 3;
  mantissa *= pow10(down);
  exponent -= down;
  if (format === "DecimalExponent") return `${sign}${mantissa}${exponent ? `e${exponent}` : ""}`;
  if (exponent > 18) {
    mantissa *= pow10(exponent - 18);
    exponent = 18;
  }
  return `${sign}${mantissa}${decimalByExponent.get(exponent) ?? ""}`;
}

export function zeroQuantity(): Quantity {
  return { nanos: 0n, format: "DecimalSI" };
}

/** a + b in a's format (b's when a is zero), as Quantity.Add. */
export function addQuantity(a: Quantity, b: Quantity): Quantity {
  return { nanos: a.nanos + b.nanos, format: a.nanos === 0n ? b.format : a.format };
}

export function cmpQuantity(a: Quantity, b: Quantity): number {
  return a.nanos < b.nanos ? -1 : a.nanos > b.nanos ? 1 : 0;
}

/** Quantity.Value(): whole units, rounded up. */
export function quantityValue(q: Quantity): bigint {
  return ceilDiv(q.nanos, nano);
}

/** Quantity.MilliValue(): thousandths, rounded up. */
export function quantityMilliValue(q: Quantity): bigint {
  return ceilDiv(q.nanos, 1_000_000n);
}

/** Canonical text of a quantity given as text (the text itself when it does not parse). */
export function canonicalQuantity(text: unknown): string {
  const q = parseQuantity(text);
  return q ? formatQuantity(q) : String(text);
}
