import { isJsonObject, type JsonObject } from "../../shared/kube-object.js";
import { addQuantity, cmpQuantity, formatQuantity, parseQuantity, type Quantity } from "./quantity.js";

/** corev1.ResourceList: resource name → quantity. */
export type ResourceList = Record<string, Quantity>;

/** A ResourceList from its JSON (quantities that do not parse are left out). */
export function toResourceList(json: unknown): ResourceList {
  const out: ResourceList = {};
  if (!isJsonObject(json)) return out;
  for (const [k, v] of Object.entries(json)) {
    const q = parseQuantity(v);
    if (q) out[k] = q;
  }
  return out;
}

export function toJson(list: ResourceList): Record<string, string> {
  return Object.fromEntries(
    Object.keys(list)
      .sort()
      .map((k) => [k, formatQuantity(list[k]!)]),
  );
}

/** quota.Add: every key of both; a's format first. */
export function addLists(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = out[k] ? addQuantity(out[k], v) : v;
  return out;
}

/** quota.Mask: only the named keys. */
export function maskList(list: ResourceList, names: Iterable<string>): ResourceList {
  const out: ResourceList = {};
  for (const k of names) if (list[k]) out[k] = list[k];
  return out;
}

/** prettyPrint of the quota admission: "pods=1,requests.cpu=500m", keys sorted. */
export function prettyPrint(list: ResourceList): string {
  return Object.keys(list)
    .sort()
    .map((k) => `${k}=${formatQuantity(list[k]!)}`)
    .join(",");
}

function maxInto(list: ResourceList, other: ResourceList): void {
  for (const [k, v] of Object.entries(other)) if (!list[k] || cmpQuantity(v, list[k]) > 0) list[k] = v;
}

export function containersOf(spec: JsonObject, which: "containers" | "initContainers"): JsonObject[] {
  const list = spec[which];
  return Array.isArray(list) ? list.filter(isJsonObject) : [];
}

/** A container's requests or limits. */
export function containerList(c: JsonObject, field: "requests" | "limits"): ResourceList {
  return toResourceList(isJsonObject(c.resources) ? c.resources[field] : undefined);
}

/**
 * resourcehelper.PodRequests / PodLimits: the containers' sum, sidecars (restartable init
 * containers) added, and at least the largest init container's (with the sidecars started before
 * it); pod overhead added.
 */
export function podAggregate(spec: JsonObject, field: "requests" | "limits"): ResourceList {
  let total: ResourceList = {};
  for (const c of containersOf(spec, "containers")) total = addLists(total, containerList(c, field));
  let sidecars: ResourceList = {};
  const init: ResourceList = {};
  for (const c of containersOf(spec, "initContainers")) {
    const own = containerList(c, field);
    if (c.restartPolicy === "Always") {
      total = addLists(total, own);
      sidecars = addLists(sidecars, own);
      maxInto(init, sidecars);
    } else maxInto(init, addLists(own, sidecars));
  }
  maxInto(total, init);
  for (const [k, v] of Object.entries(toResourceList(spec.overhead))) {
    if (total[k]) total[k] = addQuantity(total[k], v);
    else if (field === "requests") total[k] = v;
  }
  return total;
}
