import { isJsonObject, type JsonObject } from "../../shared/kube-object.js";
import { canonicalQuantity, parseQuantity } from "../quota/quantity.js";

function containerDefaults(c: JsonObject): void {
  c.terminationMessagePath ??= "/dev/termination-log";
  c.terminationMessagePolicy ??= "File";
  c.resources ??= {};
  if (c.imagePullPolicy === undefined) {
    const image = typeof c.image === "string" ? c.image : "";
    const last = image.split("/").pop() ?? "";
    const tag = image.includes("@") ? "digest" : last.includes(":") ? last.split(":").pop() : "latest";
    c.imagePullPolicy = tag === "latest" ? "Always" : "IfNotPresent";
  }
  if (Array.isArray(c.ports)) for (const p of c.ports) if (isJsonObject(p)) p.protocol ??= "TCP";
  if (Array.isArray(c.env)) {
    for (const e of c.env) {
      const fieldRef = isJsonObject(e) && isJsonObject(e.valueFrom) ? e.valueFrom.fieldRef : undefined;
      if (isJsonObject(fieldRef)) fieldRef.apiVersion ??= "v1";
    }
  }
  for (const probe of ["readinessProbe", "livenessProbe", "startupProbe"]) {
    const p = c[probe];
    if (!isJsonObject(p)) continue;
    p.timeoutSeconds ??= 1;
    p.periodSeconds ??= 10;
    p.successThreshold ??= 1;
    p.failureThreshold ??= 3;
    if (isJsonObject(p.httpGet)) p.httpGet.scheme ??= "HTTP";
    if (isJsonObject(p.httpGet)) p.httpGet.path ??= "/";
  }
}

/** SetDefaults_PodSpec and the container defaults (k8s.io/kubernetes/pkg/apis/core/v1/defaults.go). */
export function defaultPodSpec(spec: JsonObject): void {
  spec.restartPolicy ??= "Always";
  spec.dnsPolicy ??= "ClusterFirst";
  spec.terminationGracePeriodSeconds ??= 30;
  spec.schedulerName ??= "default-scheduler";
  spec.securityContext ??= {};
  spec.enableServiceLinks ??= true;
  if (spec.serviceAccountName === undefined && typeof spec.serviceAccount === "string")
    spec.serviceAccountName = spec.serviceAccount;
  for (const list of ["containers", "initContainers"]) {
    const cs = spec[list];
    if (Array.isArray(cs)) for (const c of cs) if (isJsonObject(c)) containerDefaults(c);
  }
  if (Array.isArray(spec.volumes)) {
    for (const v of spec.volumes) {
      if (!isJsonObject(v)) continue;
      for (const src of ["secret", "configMap"]) if (isJsonObject(v[src])) v[src].defaultMode ??= 420;
      if (isJsonObject(v.projected)) v.projected.defaultMode ??= 420;
      if (isJsonObject(v.downwardAPI)) v.downwardAPI.defaultMode ??= 420;
    }
  }
}

/**
 * SetDefaults_Pod: a container (or init container) with a limit and no request for a resource
 * requests the limit. Only for Pods (not templates), at decode, so admission sees it. Quantities
 * are stored in canonical form, as the Quantity type serializes them.
 */
export function defaultPodResources(spec: JsonObject): void {
  for (const c of [...containerList(spec.containers), ...containerList(spec.initContainers)]) {
    if (!isJsonObject(c.resources)) continue;
    const r = c.resources;
    for (const field of ["limits", "requests"]) {
      const list = r[field];
      if (isJsonObject(list)) for (const k of Object.keys(list)) list[k] = canonicalQuantity(list[k]);
    }
    if (!isJsonObject(r.limits)) continue;
    const requests = isJsonObject(r.requests) ? r.requests : {};
    for (const [k, v] of Object.entries(r.limits)) requests[k] ??= v;
    if (Object.keys(requests).length) r.requests = requests;
  }
}

function containerList(v: unknown): JsonObject[] {
  return Array.isArray(v) ? v.filter(isJsonObject) : [];
}

/** Pod QoS class from the cpu and memory requests and limits (ComputePodQOS). */
export function qosClass(spec: JsonObject): string {
  const requests = new Map<string, bigint>();
  const limits = new Map<string, bigint>();
  let guaranteed = true;
  const add = (into: Map<string, bigint>, list: unknown, found?: Set<string>) => {
    for (const k of ["cpu", "memory"]) {
      const q = parseQuantity(isJsonObject(list) ? list[k] : undefined);
      if (!q || q.nanos <= 0n) continue;
      found?.add(k);
      into.set(k, (into.get(k) ?? 0n) + q.nanos);
    }
  };
  for (const c of [...containerList(spec.containers), ...containerList(spec.initContainers)]) {
    const r = isJsonObject(c.resources) ? c.resources : {};
    add(requests, r.requests);
    const found = new Set<string>();
    add(limits, r.limits, found);
    if (found.size < 2) guaranteed = false;
  }
  if (!requests.size && !limits.size) return "BestEffort";
  for (const [k, v] of requests) if (limits.get(k) !== v) guaranteed = false;
  return guaranteed && requests.size === limits.size ? "Guaranteed" : "Burstable";
}
