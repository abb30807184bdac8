import { isJsonObject, type JsonObject } from "../../shared/kube-object.js";
import { listStrategy } from "./patch-meta.js";

/**
 * Server-side apply, simplified: each field manager's last applied configuration is kept, and a new
 * apply removes what that manager applied before and no longer applies (as ownership would),
 * then merges the configuration strategically. Conflicts between managers are not detected.
 */
export class AppliedConfigs {
  private readonly byObject = new Map<string, Map<string, JsonObject>>();

  previous(uid: string, manager: string): JsonObject | undefined {
    return this.byObject.get(uid)?.get(manager);
  }

  remember(uid: string, manager: string, config: JsonObject): void {
    let m = this.byObject.get(uid);
    if (!m) this.byObject.set(uid, (m = new Map()));
    m.set(manager, structuredClone(config));
  }

  forget(uid: string): void {
    this.byObject.delete(uid);
  }
}

/** A strategic merge patch that deletes what `prev` set and `next` no longer sets. */
export function removals(prev: JsonObject, next: JsonObject, kind: string, path: string[] = []): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(prev)) {
    if (path.length === 0 && (k === "apiVersion" || k === "kind")) continue;
    const n = next[k];
    if (n === undefined) out[k] = null;
    else if (isJsonObject(v) && isJsonObject(n)) {
      const inner = removals(v, n, kind, [...path, k]);
      if (Object.keys(inner).length) out[k] = inner;
    } else if (Array.isArray(v) && Array.isArray(n)) {
      const key = listStrategy([...path, k], kind).mergeKey;
      if (!key) continue;
      const gone = v.filter((e) => isJsonObject(e) && !n.some((x) => isJsonObject(x) && x[key] === e[key]));
      if (gone.length) out[k] = gone.map((e) => ({ [key]: (e as JsonObject)[key], $patch: "delete" }));
    }
  }
  return out;
}
