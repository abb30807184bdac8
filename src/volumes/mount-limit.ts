import { UsageError } from "../errors.js";

/** The largest volume copied unless --mount-limit says otherwise. */
export const defaultMountLimit = 1024 ** 3;

const units: Record<string, number> = {
  "": 1,
  k: 1e3,
  m: 1e6,
  g: 1e9,
  t: 1e12,
  ki: 1024,
  mi: 1024 ** 2,
  gi: 1024 ** 3,
  ti: 1024 ** 4,
};

/** `--mount-limit` values: bytes, or a number with a unit (500Mi, 2G, 1.5GiB). */
export function parseMountLimit(value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]i?)?b?$/i.exec(value.trim());
  const factor = units[(m?.[2] ?? "").toLowerCase()];
  if (!m || factor === undefined)
    throw new UsageError(`--mount-limit ${value}: expected a size such as 1073741824, 500Mi or 2G`);
  return Math.floor(Number(m[1]) * factor);
}
