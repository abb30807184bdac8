import type { V1Container, V1ObjectMeta, V1PodSpec, V1Volume } from "@kubernetes/client-node";

/**
 * The checks of the Pod Security Standards as k8s.io/pod-security-admission's policy/ package
 * implements them at version 1.32 (this cluster's version, which "latest" means): the same
 * reasons, details and order, so that a rejection reads as a real API server's.
 */
export interface CheckResult {
  reason: string;
  detail: string;
}

type Check = (meta: V1ObjectMeta, spec: V1PodSpec) => CheckResult | undefined;

export type Level = "privileged" | "baseline" | "restricted";

const pluralize = (one: string, many: string, n: number): string => (n === 1 ? one : many);
const joinQuote = (items: string[]): string => (items.length ? `"${items.join('", "')}"` : "");
const sorted = (items: Iterable<string>): string[] => [...new Set(items)].sort();
const containersOf = (n: number): string => pluralize("container", "containers", n);

function containers(spec: V1PodSpec): V1Container[] {
  return [
    ...(spec.initContainers ?? []),
    ...(spec.containers ?? []),
    ...((spec.ephemeralContainers ?? []) as V1Container[]),
  ];
}

/** "pod and containers "a", "b"" — who set a forbidden value. */
function setters(pod: boolean, bad: string[]): string[] {
  const out = pod ? ["pod"] : [];
  if (bad.length) out.push(`${containersOf(bad.length)} ${joinQuote(bad)}`);
  return out;
}

// --- baseline ---

const defaultCapabilities = new Set([
  "AUDIT_WRITE",
  "CHOWN",
  "DAC_OVERRIDE",
  "FOWNER",
  "FSETID",
  "KILL",
  "MKNOD",
  "NET_BIND_SERVICE",
  "SETFCAP",
  "SETGID",
  "SETPCAP",
  "SETUID",
  "SYS_CHROOT",
]);

const appArmorProfile: Check = (meta, spec) => {
  const ok = (t: string | undefined) => t === "RuntimeDefault" || t === "Localhost";
  const badValues: string[] = [];
  const podType = spec.securityContext?.appArmorProfile?.type;
  const podBad = podType !== undefined && !ok(podType);
  if (podBad) badValues.push(podType);
  const bad: string[] = [];
  for (const c of containers(spec)) {
    const t = c.securityContext?.appArmorProfile?.type;
    if (t !== undefined && !ok(t)) {
      bad.push(c.name);
      badValues.push(t);
    }
  }
  const who = setters(podBad, bad);
  const annotations = Object.entries(meta.annotations ?? {})
    .filter(
      ([k, v]) =>
        k.startsWith("container.apparmor.security.beta.kubernetes.io/") &&
        !(v === "" || v === "runtime/default" || v.startsWith("localhost/")),
    )
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .sort();
  const values = [...sorted(badValues), ...annotations];
  if (annotations.length) who.push(pluralize("annotation", "annotations", annotations.length));
  if (!who.length) return undefined;
  return {
    reason: pluralize("forbidden AppArmor profile", "forbidden AppArmor profiles", values.length),
    detail: `${who.join(" and ")} must not set AppArmor profile type to ${joinQuote(values)}`,
  };
};

const capabilitiesBaseline: Check = (_m, spec) => {
  const bad: string[] = [];
  const caps: string[] = [];
  for (const c of containers(spec)) {
    const added = (c.securityContext?.capabilities?.add ?? []).filter((x) => !defaultCapabilities.has(x));
    if (added.length) {
      bad.push(c.name);
      caps.push(...added);
    }
  }
  if (!bad.length) return undefined;
  return {
    reason: "non-default capabilities",
    detail: `${containersOf(bad.length)} ${joinQuote(bad)} must not include ${joinQuote(sorted(caps))} in securityContext.capabilities.add`,
  };
};

const hostNamespaces: Check = (_m, spec) => {
  const used = [
    spec.hostNetwork && "hostNetwork=true",
    spec.hostPID && "hostPID=true",
    spec.hostIPC && "hostIPC=true",
  ].filter((x): x is string => !!x);
  return used.length ? { reason: "host namespaces", detail: used.join(", ") } : undefined;
};

const hostPathVolumes: Check = (_m, spec) => {
  const bad = (spec.volumes ?? []).filter((v) => v.hostPath).map((v) => v.name);
  if (!bad.length) return undefined;
  return {
    reason: "hostPath volumes",
    detail: `${pluralize("volume", "volumes", bad.length)} ${joinQuote(bad)}`,
  };
};

const hostPorts: Check = (_m, spec) => {
  const bad: string[] = [];
  const ports: string[] = [];
  for (const c of containers(spec)) {
    const used = (c.ports ?? []).filter((p) => p.hostPort).map((p) => String(p.hostPort));
    if (used.length) {
      bad.push(c.name);
      ports.push(...used);
    }
  }
  if (!bad.length) return undefined;
  const list = sorted(ports);
  return {
    reason: "hostPort",
    detail: `${containersOf(bad.length)} ${joinQuote(bad)} ${pluralize("uses", "use", bad.length)} ${pluralize("hostPort", "hostPorts", list.length)} ${list.join(", ")}`,
  };
};

const privileged: Check = (_m, spec) => {
  const bad = containers(spec)
    .filter((c) => c.securityContext?.privileged === true)
    .map((c) => c.name);
  if (!bad.length) return undefined;
  return {
    reason: "privileged",
    detail: `${containersOf(bad.length)} ${joinQuote(bad)} must not set securityContext.privileged=true`,
  };
};

const procMount: Check = (_m, spec) => {
  const bad: string[] = [];
  const types: string[] = [];
  for (const c of containers(spec)) {
    const t = c.securityContext?.procMount;
    if (t !== undefined && t !== "Default") {
      bad.push(c.name);
      types.push(t);
    }
  }
  if (!bad.length) return undefined;
  return {
    reason: "procMount",
    detail: `${containersOf(bad.length)} ${joinQuote(bad)} must not set securityContext.procMount to ${joinQuote(sorted(types))}`,
  };
};

const seLinuxOptions: Check = (_m, spec) => {
  const allowed = new Set(["", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"]);
  const badTypes: string[] = [];
  let user = false;
  let role = false;
  const valid = (o: { type?: string; user?: string; role?: string } | undefined): boolean => {
    if (!o) return true;
    const typeOk = allowed.has(o.type ?? "");
    if (!typeOk) badTypes.push(o.type ?? "");
    if (o.user) user = true;
    if (o.role) role = true;
    return typeOk && !o.user && !o.role;
  };
  const podBad = !valid(spec.securityContext?.seLinuxOptions);
  const bad = containers(spec)
    .filter((c) => !valid(c.securityContext?.seLinuxOptions))
    .map((c) => c.name);
  const who = setters(podBad, bad);
  if (!who.length) return undefined;
  const types = sorted(badTypes);
  const data = [
    ...(types.length ? [`${pluralize("type", "types", types.length)} ${joinQuote(types)}`] : []),
    ...(user ? ["user may not be set"] : []),
    ...(role ? ["role may not be set"] : []),
  ];
  return {
    reason: "seLinuxOptions",
    detail: `${who.join(" and ")} set forbidden securityContext.seLinuxOptions: ${data.join("; ")}`,
  };
};

const validSeccomp = (t: string) => t === "RuntimeDefault" || t === "Localhost";

/** Pod and containers that set a seccomp profile other than RuntimeDefault or Localhost. */
function explicitSeccomp(spec: V1PodSpec): { who: string[]; values: string[]; podSet: boolean } {
  const values: string[] = [];
  const podType = spec.securityContext?.seccompProfile?.type;
  const podBad = podType !== undefined && !validSeccomp(podType);
  if (podBad) values.push(podType);
  const bad: string[] = [];
  for (const c of containers(spec)) {
    const t = c.securityContext?.seccompProfile?.type;
    if (t !== undefined && !validSeccomp(t)) {
      bad.push(c.name);
      values.push(t);
    }
  }
  return { who: setters(podBad, bad), values: sorted(values), podSet: podType !== undefined && !podBad };
}

const seccompBaseline: Check = (_m, spec) => {
  const { who, values } = explicitSeccomp(spec);
  if (!who.length) return undefined;
  return {
    reason: "seccompProfile",
    detail: `${who.join(" and ")} must not set securityContext.seccompProfile.type to ${joinQuote(values)}`,
  };
};

const safeSysctls = new Set([
  "kernel.shm_rmid_forced",
  "net.ipv4.ip_local_port_range",
  "net.ipv4.tcp_syncookies",
  "net.ipv4.ping_group_range",
  "net.ipv4.ip_unprivileged_port_start",
  "net.ipv4.ip_local_reserved_ports",
  "net.ipv4.tcp_keepalive_time",
  "net.ipv4.tcp_fin_timeout",
  "net.ipv4.tcp_keepalive_intvl",
  "net.ipv4.tcp_keepalive_probes",
  "net.ipv4.tcp_rmem",
  "net.ipv4.tcp_wmem",
]);

const sysctls: Check = (_m, spec) => {
  const bad = (spec.securityContext?.sysctls ?? []).map((s) => s.name).filter((n) => !safeSysctls.has(n));
  return bad.length ? { reason: "forbidden sysctls", detail: bad.join(", ") } : undefined;
};

const windowsHostProcess: Check = (_m, spec) => {
  const podSet = spec.securityContext?.windowsOptions?.hostProcess === true;
  const bad = containers(spec)
    .filter((c) => c.securityContext?.windowsOptions?.hostProcess === true)
    .map((c) => c.name);
  if (!podSet && !bad.length) return undefined;
  const who = setters(podSet, bad).join(" and ");
  return {
    reason: "hostProcess",
    detail: `${who} must not set securityContext.windowsOptions.hostProcess=true`,
  };
};

// --- restricted ---

const isWindows = (spec: V1PodSpec) => spec.os?.name === "windows";

const allowPrivilegeEscalation: Check = (_m, spec) => {
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

const capabilitiesRestricted: Check = (_m, spec) => {
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

const restrictedVolumes: Check = (_m, spec) => {
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

const runAsNonRoot: Check = (_m, spec) => {
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

const runAsUser: Check = (_m, spec) => {
  const bad = containers(spec)
    .filter((c) => c.securityContext?.runAsUser === 0)
    .map((c) => c.name);
  const who = setters(spec.securityContext?.runAsUser === 0, bad);
  return who.length
    ? { reason: "runAsUser=0", detail: `${who.join(" and ")} must not set runAsUser=0` }
    : undefined;
};

const seccompRestricted: Check = (_m, spec) => {
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
