import { isJsonObject, type JsonObject, type KubeObject } from "../../shared/kube-object.js";
import type { FieldError } from "../http/api-error.js";
import { allocateClusterIp, allocateNodePort, inServiceCidr, isIpAllocated } from "./cluster-ip-allocator.js";
import type { Strategy } from "./strategy.js";

function spec(obj: KubeObject): JsonObject {
  if (!isJsonObject(obj.spec)) obj.spec = {};
  return obj.spec as JsonObject;
}

function ports(s: JsonObject): JsonObject[] {
  return Array.isArray(s.ports) ? s.ports.filter(isJsonObject) : [];
}

function defaults(s: JsonObject): void {
  s.type ??= "ClusterIP";
  s.sessionAffinity ??= "None";
  s.internalTrafficPolicy ??= "Cluster";
  if (s.type === "NodePort" || s.type === "LoadBalancer") s.externalTrafficPolicy ??= "Cluster";
  for (const p of ports(s)) {
    p.protocol ??= "TCP";
    p.targetPort ??= p.port;
  }
}

function allocate(s: JsonObject, ctx: Parameters<NonNullable<Strategy["prepareForCreate"]>>[1]): void {
  if (s.type === "ExternalName") return;
  if (s.clusterIP === undefined || s.clusterIP === "") s.clusterIP = allocateClusterIp(ctx.store);
  s.clusterIPs = [s.clusterIP];
  if (s.clusterIP !== "None") {
    s.ipFamilies ??= ["IPv4"];
    s.ipFamilyPolicy ??= "SingleStack";
  } else {
    s.ipFamilies ??= ["IPv4"];
    s.ipFamilyPolicy ??= "SingleStack";
  }
  if (s.type === "NodePort" || s.type === "LoadBalancer")
    for (const p of ports(s)) p.nodePort ??= allocateNodePort(ctx.store);
}

export const serviceStrategy: Strategy = {
  hasStatus: true,
  prepareForCreate(svc, ctx) {
    const s = spec(svc);
    defaults(s);
    if (
      typeof s.clusterIP === "string" &&
      s.clusterIP !== "" &&
      s.clusterIP !== "None" &&
      isIpAllocated(ctx.store, s.clusterIP)
    )
      s.clusterIPs = [s.clusterIP];
    else allocate(s, ctx);
    svc.status = { loadBalancer: {} };
  },
  prepareForUpdate(svc, old, ctx) {
    const s = spec(svc);
    const o = isJsonObject(old.spec) ? old.spec : {};
    defaults(s);
    if ((s.clusterIP === undefined || s.clusterIP === "") && o.clusterIP !== undefined)
      s.clusterIP = o.clusterIP;
    if (s.clusterIPs === undefined && o.clusterIPs !== undefined) s.clusterIPs = o.clusterIPs;
    const oldPorts = ports(o);
    for (const p of ports(s)) {
      const before = oldPorts.find((x) => x.port === p.port && x.protocol === p.protocol);
      if (p.nodePort === undefined && before?.nodePort !== undefined) p.nodePort = before.nodePort;
    }
    allocate(s, ctx);
  },
  validate(svc, ctx, old) {
    const s = spec(svc);
    const errs: FieldError[] = [];
    const ip = String(s.clusterIP ?? "");
    if (!old && ip !== "None" && ip !== "" && isIpAllocated(ctx.store, ip))
      return [
        {
          type: "FieldValueInvalid",
          field: "spec.clusterIPs",
          value: [ip],
          detail: `failed to allocate IP ${ip}: provided IP is already allocated`,
        },
      ];
    if (ip !== "None" && ip !== "" && !inServiceCidr(ip))
      errs.push({
        type: "FieldValueInvalid",
        field: "spec.clusterIPs",
        value: [ip],
        detail: `failed to allocate IP ${ip}: the provided IP (${ip}) is not in the valid range. The range of valid IPs is 10.244.128.0/17`,
      });
    if (ports(s).length === 0 && ip !== "None" && s.type !== "ExternalName")
      errs.push({ type: "FieldValueRequired", field: "spec.ports" });
    ports(s).forEach((p, i) => {
      if (typeof p.port !== "number" || p.port < 1 || p.port > 65535)
        errs.push({
          type: "FieldValueInvalid",
          field: `spec.ports[${i}].port`,
          value: p.port ?? 0,
          detail: "must be between 1 and 65535, inclusive",
        });
      if (ports(s).length > 1 && !p.name)
        errs.push({ type: "FieldValueRequired", field: `spec.ports[${i}].name` });
    });
    return errs;
  },
  validateUpdate(svc, old) {
    const s = spec(svc);
    const o = isJsonObject(old.spec) ? old.spec : {};
    if (
      o.clusterIP !== undefined &&
      s.clusterIP !== o.clusterIP &&
      s.type !== "ExternalName" &&
      o.type !== "ExternalName"
    )
      return [
        {
          type: "FieldValueInvalid",
          field: "spec.clusterIPs[0]",
          value: [s.clusterIP],
          detail: "may not change once set",
        },
      ];
    return [];
  },
};
