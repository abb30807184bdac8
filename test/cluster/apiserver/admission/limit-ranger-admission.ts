import { isJsonObject, type JsonObject, type KubeObject } from "../../shared/kube-object.js";
import { forbidden } from "../http/api-error.js";
import { formatQuantity, quantityMilliValue, quantityValue, type Quantity } from "../quota/quantity.js";
import {
  containerList,
  containersOf,
  podAggregate,
  toJson,
  toResourceList,
  type ResourceList,
} from "../quota/resource-list.js";
import { admissionName, aggregateMessage, type AdmissionPlugin } from "./admission.js";

/**
 * The LimitRanger plugin (plugin/pkg/admission/limitranger): a pod's containers get the
 * `defaultRequest` and `default` of the namespace's Container limits where they state none (told
 * in the `kubernetes.io/limit-ranger` annotation); then pods are held to `min`, `max` and
 * `maxLimitRequestRatio` per Container and per Pod, claims to `min`/`max` storage.
 */
const annotation = "kubernetes.io/limit-ranger";
const maxMilliValue = 9_223_372_036_854_775n; // MaxInt64 / 1000

type Item = Record<"max" | "min" | "default" | "defaultRequest" | "maxLimitRequestRatio", ResourceList> & {
  type: string;
};

function itemsOf(lr: KubeObject): Item[] {
  const spec = isJsonObject(lr.spec) ? lr.spec : {};
  const limits = Array.isArray(spec.limits) ? spec.limits.filter(isJsonObject) : [];
  return limits.map((l) => ({
    type: String(l.type ?? ""),
    max: toResourceList(l.max),
    min: toResourceList(l.min),
    default: toResourceList(l.default),
    defaultRequest: toResourceList(l.defaultRequest),
    maxLimitRequestRatio: toResourceList(l.maxLimitRequestRatio),
  }));
}

/** requestLimitEnforcedValues: in milli units when none would overflow, else in units. */
function values(...qs: (Quantity | undefined)[]): bigint[] {
  const units = qs.map((q) => (q ? quantityValue(q) : 0n));
  if (units.every((v) => v <= maxMilliValue)) return qs.map((q) => (q ? quantityMilliValue(q) : 0n));
  return units;
}

type Check = (
  type: string,
  name: string,
  enforced: Quantity,
  req: ResourceList,
  lim: ResourceList,
) => string | undefined;

const minConstraint: Check = (type, name, enforced, requests, limits) => {
  const [req, lim] = [requests[name], limits[name]];
  const [r, l, e] = values(req, lim, enforced) as [bigint, bigint, bigint];
  const head = `minimum ${name} usage per ${type} is ${formatQuantity(enforced)}`;
  if (!req) return `${head}.  No request is specified`;
  if (r < e) return `${head}, but request is ${formatQuantity(req)}`;
  if (lim && l < e) return `${head}, but limit is ${formatQuantity(lim)}`;
};

const maxConstraint: Check = (type, name, enforced, requests, limits) => {
  const [req, lim] = [requests[name], limits[name]];
  const [r, l, e] = values(req, lim, enforced) as [bigint, bigint, bigint];
  const head = `maximum ${name} usage per ${type} is ${formatQuantity(enforced)}`;
  if (!lim) return `${head}.  No limit is specified`;
  if (l > e) return `${head}, but limit is ${formatQuantity(lim)}`;
  if (req && r > e) return `${head}, but request is ${formatQuantity(req)}`;
};

/** maxRequestConstraint: claims state requests only. */
const maxRequestConstraint: Check = (type, name, enforced, requests) => {
  const req = requests[name];
  const [r, , e] = values(req, undefined, enforced) as [bigint, bigint, bigint];
  const head = `maximum ${name} usage per ${type} is ${formatQuantity(enforced)}`;
  if (!req) return `${head}.  No request is specified`;
  if (r > e) return `${head}, but request is ${formatQuantity(req)}`;
};

const ratioConstraint: Check = (type, name, enforced, requests, limits) => {
  const [r, l] = values(requests[name], limits[name], enforced) as [bigint, bigint];
  const head = `${name} max limit to request ratio per ${type} is ${formatQuantity(enforced)}`;
  if (!requests[name] || r === 0n) return `${head}, but no request is specified or request is 0`;
  if (!limits[name] || l === 0n) return `${head}, but no limit is specified or limit is 0`;
  const ratio = Number(l) / Number(r);
  const useMilli = quantityValue(enforced) <= maxMilliValue;
  const observed = useMilli ? ratio * 1000 : ratio;
  const max = Number(useMilli ? quantityMilliValue(enforced) : quantityValue(enforced));
  if (observed > max) return `${head}, but provided ratio is ${ratio.toFixed(6)}`;
};

function checkAll(
  item: Item,
  requests: ResourceList,
  limits: ResourceList,
  errs: string[],
  claim = false,
): void {
  const run = (bounds: ResourceList, check: Check) => {
    for (const k of Object.keys(bounds).sort()) {
      const err = check(item.type, k, bounds[k]!, requests, limits);
      if (err) errs.push(err);
    }
  };
  run(item.min, minConstraint);
  run(item.max, claim ? maxRequestConstraint : maxConstraint);
  if (!claim) run(item.maxLimitRequestRatio, ratioConstraint);
}

/** mergeContainerResources for every container: what each got, for the annotation. */
function applyDefaults(pod: KubeObject, items: Item[]): void {
  const defaults = { requests: {} as ResourceList, limits: {} as ResourceList };
  for (const item of items.filter((i) => i.type === "Container")) {
    Object.assign(defaults.requests, item.defaultRequest);
    Object.assign(defaults.limits, item.default);
  }
  const spec = isJsonObject(pod.spec) ? pod.spec : {};
  const notes: string[] = [];
  const merge = (c: JsonObject, what: string) => {
    const resources = (c.resources = isJsonObject(c.resources) ? c.resources : {});
    for (const [field, word] of [
      ["requests", "request"],
      ["limits", "limit"],
    ] as const) {
      const list = (resources[field] = isJsonObject(resources[field]) ? resources[field] : {}) as JsonObject;
      const set = Object.keys(defaults[field]).filter((k) => list[k] === undefined);
      Object.assign(list, toJson(Object.fromEntries(set.map((k) => [k, defaults[field][k]!]))));
      if (set.length) notes.push(`${set.sort().join(", ")} ${word} for ${what} ${String(c.name ?? "")}`);
      if (!Object.keys(list).length) delete resources[field];
    }
  };
  for (const c of containersOf(spec, "containers")) merge(c, "container");
  for (const c of containersOf(spec, "initContainers")) merge(c, "init container");
  if (notes.length)
    pod.metadata.annotations = {
      ...pod.metadata.annotations,
      [annotation]: `LimitRanger plugin set: ${notes.join("; ")}`,
    };
}

function podErrors(pod: KubeObject, items: Item[]): string[] {
  const spec = isJsonObject(pod.spec) ? pod.spec : {};
  const errs: string[] = [];
  for (const item of items) {
    if (item.type === "Container")
      for (const c of [...containersOf(spec, "containers"), ...containersOf(spec, "initContainers")])
        checkAll(item, containerList(c, "requests"), containerList(c, "limits"), errs);
    if (item.type === "Pod")
      checkAll(item, podAggregate(spec, "requests"), podAggregate(spec, "limits"), errs);
  }
  return errs;
}

function claimErrors(pvc: KubeObject, items: Item[]): string[] {
  const spec = isJsonObject(pvc.spec) ? pvc.spec : {};
  const requests = toResourceList(isJsonObject(spec.resources) ? spec.resources.requests : undefined);
  const errs: string[] = [];
  for (const item of items)
    if (item.type === "PersistentVolumeClaim") checkAll(item, requests, {}, errs, true);
  return errs;
}

export const limitRangerAdmission: AdmissionPlugin = (request) => {
  const { def, namespace, object, store } = request;
  const isPod = def.plural === "pods";
  if (def.group !== "" || !namespace || (!isPod && def.plural !== "persistentvolumeclaims")) return;
  const ranges = store.list("/limitranges", namespace).map(itemsOf);
  if (isPod) for (const items of ranges) applyDefaults(object, items);
  for (const items of ranges) {
    const errs = isPod ? podErrors(object, items) : claimErrors(object, items);
    if (errs.length)
      throw forbidden({ group: "", resource: def.plural }, admissionName(object), aggregateMessage(errs));
  }
};
