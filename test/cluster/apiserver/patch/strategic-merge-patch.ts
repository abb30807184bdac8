import { isJsonObject, type JsonObject } from "../../shared/kube-object.js";
import { listStrategy } from "./patch-meta.js";

/** A patch the strategic merge cannot apply (the API server answers 422 or 400). */
export class StrategicPatchError extends Error {}

const setOrderPrefix = "$setElementOrder/";
const deletePrimitivePrefix = "$deleteFromPrimitiveList/";

function isDirective(k: string): boolean {
  return (
    k === "$patch" ||
    k === "$retainKeys" ||
    k.startsWith(setOrderPrefix) ||
    k.startsWith(deletePrimitivePrefix)
  );
}

function stripDirectives(v: unknown): unknown {
  if (Array.isArray(v)) return v.filter((e) => !(isJsonObject(e) && e.$patch)).map(stripDirectives);
  if (!isJsonObject(v)) return v;
  const out: JsonObject = {};
  for (const [k, x] of Object.entries(v)) if (!isDirective(k) && x !== null) out[k] = stripDirectives(x);
  return out;
}

/** Apply a strategic merge patch to `original` (k8s.io/apimachinery/pkg/util/strategicpatch). */
export function strategicMergePatch(original: unknown, patch: unknown, kind: string): unknown {
  if (!isJsonObject(patch)) throw new StrategicPatchError("strategic merge patch must be a JSON object");
  return mergeMap(isJsonObject(original) ? original : {}, patch, [], kind) ?? {};
}

function mergeMap(
  original: JsonObject,
  patch: JsonObject,
  path: string[],
  kind: string,
): JsonObject | undefined {
  const directive = patch.$patch;
  if (directive === "replace") return stripDirectives(patch) as JsonObject;
  if (directive === "delete") return undefined;
  if (directive !== undefined && directive !== "merge")
    throw new StrategicPatchError(
      `Unknown patch type: ${String(directive)} in map: ${JSON.stringify(patch)}`,
    );
  const result: JsonObject = { ...original };
  const retain = patch.$retainKeys;
  if (Array.isArray(retain)) {
    for (const k of Object.keys(result)) if (!retain.includes(k)) delete result[k];
  }
  for (const [k, v] of Object.entries(patch)) {
    if (isDirective(k)) continue;
    if (v === null) {
      delete result[k];
    } else if (isJsonObject(v)) {
      const cur = result[k];
      const merged = mergeMap(isJsonObject(cur) ? cur : {}, v, [...path, k], kind);
      if (merged === undefined) delete result[k];
      else result[k] = merged;
    } else if (Array.isArray(v)) {
      result[k] = mergeList(result[k], v, [...path, k], kind);
    } else {
      result[k] = v;
    }
  }
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith(deletePrimitivePrefix) && Array.isArray(v)) {
      const f = k.slice(deletePrimitivePrefix.length);
      const cur = result[f];
      if (Array.isArray(cur)) result[f] = cur.filter((x) => !v.includes(x));
    }
  }
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith(setOrderPrefix) && Array.isArray(v)) {
      const f = k.slice(setOrderPrefix.length);
      const cur = result[f];
      if (Array.isArray(cur)) result[f] = reorder(cur, v, listStrategy([...path, f], kind).mergeKey);
    }
  }
  return result;
}

function reorder(list: unknown[], order: unknown[], mergeKey?: string): unknown[] {
  const keyOf = (e: unknown): string => JSON.stringify(mergeKey && isJsonObject(e) ? e[mergeKey] : e);
  const orderKeys = order.map((o) => JSON.stringify(mergeKey && isJsonObject(o) ? o[mergeKey] : o));
  const rank = (e: unknown): number => {
    const i = orderKeys.indexOf(keyOf(e));
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  return list
    .map((e, i) => ({ e, i }))
    .sort((a, b) => rank(a.e) - rank(b.e) || a.i - b.i)
    .map((x) => x.e);
}

function mergeList(original: unknown, patch: unknown[], path: string[], kind: string): unknown[] {
  const strategy = listStrategy(path, kind);
  if (!strategy.merge) return stripDirectives(patch) as unknown[];
  if (patch.some((e) => isJsonObject(e) && e.$patch === "replace"))
    return stripDirectives(patch) as unknown[];
  const result = Array.isArray(original) ? [...original] : [];
  const key = strategy.mergeKey;
  for (const el of patch) {
    if (!isJsonObject(el) || !key) {
      if (!result.some((x) => JSON.stringify(x) === JSON.stringify(el))) result.push(el);
      continue;
    }
    if (!(key in el)) {
      if (el.$patch) continue;
      throw new StrategicPatchError(`map: ${JSON.stringify(el)} does not contain declared merge key: ${key}`);
    }
    const idx = result.findIndex(
      (x) => isJsonObject(x) && JSON.stringify(x[key]) === JSON.stringify(el[key]),
    );
    if (el.$patch === "delete") {
      if (idx >= 0) result.splice(idx, 1);
      continue;
    }
    const cur = idx >= 0 ? result[idx] : {};
    const merged = mergeMap(isJsonObject(cur) ? cur : {}, el, path, kind);
    if (merged === undefined) {
      if (idx >= 0) result.splice(idx, 1);
    } else if (idx >= 0) result[idx] = merged;
    else result.push(merged);
  }
  return result;
}
