import type { V1ObjectMeta, V1PodSpec } from "@kubernetes/client-node";
import type { Check, CheckResult } from "./pod-security-shared.js";
import {
  appArmorProfile,
  capabilitiesBaseline,
  hostNamespaces,
  hostPathVolumes,
  hostPorts,
  privileged,
  procMount,
  seccompBaseline,
  seLinuxOptions,
  sysctls,
  windowsHostProcess,
} from "./pod-security-baseline.js";
import {
  allowPrivilegeEscalation,
  capabilitiesRestricted,
  restrictedVolumes,
  runAsNonRoot,
  runAsUser,
  seccompRestricted,
} from "./pod-security-restricted.js";

/**
 * The checks of the Pod Security Standards as k8s.io/pod-security-admission's policy/ package
 * implements them at version 1.32 (this cluster's version, which "latest" means): the same
 * reasons, details and order, so that a rejection reads as a real API server's.
 */
export type { CheckResult } from "./pod-security-shared.js";

export type Level = "privileged" | "baseline" | "restricted";

/** Check IDs in the order the real registry evaluates them: baseline then restricted, each sorted. */
const baseline: [string, Check][] = [
  ["appArmorProfile", appArmorProfile],
  ["capabilities_baseline", capabilitiesBaseline],
  ["hostNamespaces", hostNamespaces],
  ["hostPathVolumes", hostPathVolumes],
  ["hostPorts", hostPorts],
  ["privileged", privileged],
  ["procMount", procMount],
  ["seLinuxOptions", seLinuxOptions],
  ["seccompProfile_baseline", seccompBaseline],
  ["sysctls", sysctls],
  ["windowsHostProcess", windowsHostProcess],
];
const restricted: [string, Check][] = [
  ["allowPrivilegeEscalation", allowPrivilegeEscalation],
  ["capabilities_restricted", capabilitiesRestricted],
  ["restrictedVolumes", restrictedVolumes],
  ["runAsNonRoot", runAsNonRoot],
  ["runAsUser", runAsUser],
  ["seccompProfile_restricted", seccompRestricted],
];
/** Baseline checks that a restricted check replaces. */
const overridden = new Set(["capabilities_baseline", "hostPathVolumes", "seccompProfile_baseline"]);

/** The failed checks of a pod against a level, in the real plugin's order. */
export function evaluatePod(level: Level, meta: V1ObjectMeta, spec: V1PodSpec): CheckResult[] {
  if (level === "privileged") return [];
  const checks =
    level === "baseline" ? baseline : [...baseline.filter(([id]) => !overridden.has(id)), ...restricted];
  return checks.map(([, check]) => check(meta, spec)).filter((r): r is CheckResult => !!r);
}

/** "reason (detail), reason (detail)" as AggregateCheckResult.ForbiddenDetail writes it. */
export function forbiddenDetail(results: CheckResult[]): string {
  return results.map((r) => (r.detail ? `${r.reason} (${r.detail})` : r.reason)).join(", ");
}
