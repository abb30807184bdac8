import type { V1PodSpec } from "@kubernetes/client-node";
import {
  containers,
  containersOf,
  joinQuote,
  pluralize,
  setters,
  sorted,
  type Check,
} from "./pod-security-shared.js";

/** The baseline level of the Pod Security Standards (see pod-security-checks.ts). */

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

export const appArmorProfile: Check = (meta, spec) => {
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

export const capabilitiesBaseline: Check = (_m, spec) => {
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

export const hostNamespaces: Check = (_m, spec) => {
  const used = [
    spec.hostNetwork && "hostNetwork=true",
    spec.hostPID && "hostPID=true",
    spec.hostIPC && "hostIPC=true",
  ].filter((x): x is string => !!x);
  return used.length ? { reason: "host namespaces", detail: used.join(", ") } : undefined;
};

export const hostPathVolumes: Check = (_m, spec) => {
  const bad = (spec.volumes ?? []).filter((v) => v.hostPath).map((v) => v.name);
  if (!bad.length) return undefined;
  return {
    reason: "hostPath volumes",
    detail: `${pluralize("volume", "volumes", bad.length)} ${joinQuote(bad)}`,
  };
};

export const hostPorts: Check = (_m, spec) => {
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

export const privileged: Check = (_m, spec) => {
  const bad = containers(spec)
    .filter((c) => c.securityContext?.privileged === true)
    .map((c) => c.name);
  if (!bad.length) return undefined;
  return {
    reason: "privileged",
    detail: `${containersOf(bad.length)} ${joinQuote(bad)} must not set securityContext.privileged=true`,
  };
};

export const procMount: Check = (_m, spec) => {
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

export const seLinuxOptions: Check = (_m, spec) => {
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
export function explicitSeccomp(spec: V1PodSpec): { who: string[]; values: string[]; podSet: boolean } {
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

export const seccompBaseline: Check = (_m, spec) => {
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

export const sysctls: Check = (_m, spec) => {
  const bad = (spec.securityContext?.sysctls ?? []).map((s) => s.name).filter((n) => !safeSysctls.has(n));
  return bad.length ? { reason: "forbidden sysctls", detail: bad.join(", ") } : undefined;
};

export const windowsHostProcess: Check = (_m, spec) => {
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
