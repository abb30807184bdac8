import type { V1PodSpec, V1Volume } from "@kubernetes/client-node";
import { explicitSeccomp } from "./pod-security-baseline.js";
import {
  containers,
  containersOf,
  joinQuote,
  pluralize,
  setters,
  sorted,
  type Check,
} from "./pod-security-shared.js";

/** The restricted level of the Pod Security Standards (see pod-security-checks.ts). */

const isWindows = (spec: V1PodSpec) => spec.os?.name === "windows";

export const allowPrivilegeEscalation: Check = (_m, spec) => {
  if (isWindows(spec)) return undefined;
  const bad = containers(spec)
    .filter((c) => c.securityContext?.allowPrivilegeEscalation !== false)
    .map((c) => c.name);
  if (!bad.length) return undefined;
  return {
    reason: "allowPrivilegeEscalation != false",
    detail: `${containersOf(bad.length)} ${joinQuote(bad)} must set securityContext.allowPrivilegeEscalation=false`,
  };
};

export const capabilitiesRestricted: Check = (_m, spec) => {
  if (isWindows(spec)) return undefined;
  const missingDrop: string[] = [];
  const adding: string[] = [];
  const caps: string[] = [];
  for (const c of containers(spec)) {
    const cap = c.securityContext?.capabilities;
    if (!cap) {
      missingDrop.push(c.name);
      continue;
    }
    if (!(cap.drop ?? []).includes("ALL")) missingDrop.push(c.name);
    const added = (cap.add ?? []).filter((x) => x !== "NET_BIND_SERVICE");
    if (added.length) {
      adding.push(c.name);
      caps.push(...added);
    }
  }
  const details: string[] = [];
  if (missingDrop.length)
    details.push(
      `${containersOf(missingDrop.length)} ${joinQuote(missingDrop)} must set securityContext.capabilities.drop=["ALL"]`,
    );
  if (adding.length)
    details.push(
      `${containersOf(adding.length)} ${joinQuote(adding)} must not include ${joinQuote(sorted(caps))} in securityContext.capabilities.add`,
    );
  return details.length ? { reason: "unrestricted capabilities", detail: details.join("; ") } : undefined;
};

const allowedVolumeSources = [
  "configMap",
  "csi",
  "downwardAPI",
  "emptyDir",
  "ephemeral",
  "image",
  "persistentVolumeClaim",
  "projected",
  "secret",
] as const;

function volumeType(v: V1Volume): string {
  const source = Object.keys(v).find(
    (k) => k !== "name" && (v as unknown as Record<string, unknown>)[k] != null,
  );
  return source ?? "unknown";
}

export const restrictedVolumes: Check = (_m, spec) => {
  const bad: string[] = [];
  const types: string[] = [];
  for (const v of spec.volumes ?? []) {
    const t = volumeType(v);
    if ((allowedVolumeSources as readonly string[]).includes(t)) continue;
    bad.push(v.name);
    types.push(t);
  }
  if (!bad.length) return undefined;
  const list = sorted(types);
  return {
    reason: "restricted volume types",
    detail: `${pluralize("volume", "volumes", bad.length)} ${joinQuote(bad)} ${pluralize("uses", "use", bad.length)} ${pluralize("restricted volume type", "restricted volume types", list.length)} ${joinQuote(list)}`,
  };
};

export const runAsNonRoot: Check = (_m, spec) => {
  const podValue = spec.securityContext?.runAsNonRoot;
  const explicit: string[] = [];
  const implicit: string[] = [];
  for (const c of containers(spec)) {
    const v = c.securityContext?.runAsNonRoot;
    if (v === false) explicit.push(c.name);
    else if (v === undefined && podValue !== true) implicit.push(c.name);
  }
  const who = setters(podValue === false, explicit);
  if (who.length)
    return {
      reason: "runAsNonRoot != true",
      detail: `${who.join(" and ")} must not set securityContext.runAsNonRoot=false`,
    };
  if (implicit.length)
    return {
      reason: "runAsNonRoot != true",
      detail: `pod or ${containersOf(implicit.length)} ${joinQuote(implicit)} must set securityContext.runAsNonRoot=true`,
    };
  return undefined;
};

export const runAsUser: Check = (_m, spec) => {
  const bad = containers(spec)
    .filter((c) => c.securityContext?.runAsUser === 0)
    .map((c) => c.name);
  const who = setters(spec.securityContext?.runAsUser === 0, bad);
  return who.length
    ? { reason: "runAsUser=0", detail: `${who.join(" and ")} must not set runAsUser=0` }
    : undefined;
};

export const seccompRestricted: Check = (_m, spec) => {
  if (isWindows(spec)) return undefined;
  const { who, values, podSet } = explicitSeccomp(spec);
  if (who.length)
    return {
      reason: "seccompProfile",
      detail: `${who.join(" and ")} must not set securityContext.seccompProfile.type to ${joinQuote(values)}`,
    };
  const implicit = podSet
    ? []
    : containers(spec)
        .filter((c) => c.securityContext?.seccompProfile === undefined)
        .map((c) => c.name);
  if (!implicit.length) return undefined;
  return {
    reason: "seccompProfile",
    detail: `pod or ${containersOf(implicit.length)} ${joinQuote(implicit)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`,
  };
};
