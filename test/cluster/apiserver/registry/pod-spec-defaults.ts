import { isJsonObject, type JsonObject } from "../../shared/kube-object.js";

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

/** Pod QoS class from requests and limits (pkg/apis/core/helper/qos). */
export function qosClass(spec: JsonObject): string {
  const cs = [
    ...(Array.isArray(spec.containers) ? spec.containers : []),
    ...(Array.isArray(spec.initContainers) ? spec.initContainers : []),
  ];
  let any = false;
  let guaranteed = true;
  for (const c of cs) {
    const r = isJsonObject(c) && isJsonObject(c.resources) ? c.resources : {};
    const req = isJsonObject(r.requests) ? r.requests : {};
    const lim = isJsonObject(r.limits) ? r.limits : {};
    if (Object.keys(req).length || Object.keys(lim).length) any = true;
    for (const k of ["cpu", "memory"]) {
      if (lim[k] === undefined || (req[k] !== undefined && req[k] !== lim[k])) guaranteed = false;
    }
  }
  if (!any) return "BestEffort";
  return guaranteed ? "Guaranteed" : "Burstable";
}
