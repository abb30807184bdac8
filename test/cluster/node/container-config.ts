import type { V1Container, V1Pod, V1SecurityContext } from "@kubernetes/client-node";
import type { ContainerCreateOptions } from "dockerode";
import { expand } from "./expansion.js";
import { dockerName, podLabels, type ContainerRole } from "./labels.js";
import { parseQuantity } from "./quantity.js";
import type { PreparedVolume } from "./volume-manager.js";
import { serviceAccountMountPath } from "./service-account-volume.js";
import type { V1VolumeMount } from "@kubernetes/client-node";

/** Everything a container's Docker config is made from. */
export interface ContainerConfigInput {
  pod: V1Pod;
  container: V1Container;
  role: ContainerRole;
  attempt: number;
  env: Map<string, string>;
  volumes: Map<string, PreparedVolume>;
  extraMount?: V1VolumeMount;
  infraId: string;
  podFiles: { hosts: string; resolvConf: string; terminationLog: string };
}

function securityOf(pod: V1Pod, c: V1Container): V1SecurityContext {
  const p = pod.spec?.securityContext ?? {};
  return {
    runAsUser: p.runAsUser,
    runAsGroup: p.runAsGroup,
    runAsNonRoot: p.runAsNonRoot,
    ...Object.fromEntries(Object.entries(c.securityContext ?? {}).filter(([, v]) => v !== undefined)),
  };
}

function capName(c: string): string {
  return c.toUpperCase().startsWith("CAP_") ? c.toUpperCase() : `CAP_${c.toUpperCase()}`;
}

/** The Docker create options of one container of a pod, joined to the pod's infra container. */
export function containerConfig(input: ContainerConfigInput): ContainerCreateOptions {
  const { pod, container: c, env } = input;
  const md = pod.metadata ?? {};
  const lookup = (n: string) => env.get(n);
  const command = c.command?.length ? c.command.map((x) => expand(x, lookup)) : undefined;
  const args = c.args?.length ? c.args.map((x) => expand(x, lookup)) : undefined;
  const sc = securityOf(pod, c);

  const binds: string[] = [
    `${input.podFiles.hosts}:/etc/hosts`,
    `${input.podFiles.resolvConf}:/etc/resolv.conf`,
    `${input.podFiles.terminationLog}:${c.terminationMessagePath ?? "/dev/termination-log"}`,
  ];
  const mounts = [...(c.volumeMounts ?? [])];
  if (input.extraMount && !mounts.some((m) => m.mountPath === serviceAccountMountPath))
    mounts.push(input.extraMount);
  for (const m of mounts) {
    const vol = input.volumes.get(m.name);
    if (!vol) throw new Error(`volume "${m.name}" not found for mount ${m.mountPath}`);
    const sub = m.subPath ?? (m.subPathExpr ? expand(m.subPathExpr, lookup) : "");
    const source = sub ? `${vol.hostPath}/${sub}` : vol.hostPath;
    const ro = m.readOnly || vol.readOnly;
    binds.push(`${source}:${m.mountPath}${ro ? ":ro" : ""}`);
  }

  const limits = (c.resources?.limits ?? {}) as Record<string, string>;
  const memory = parseQuantity(limits.memory);
  const cpu = parseQuantity(limits.cpu);
  const user =
    sc.runAsUser !== undefined
      ? sc.runAsGroup !== undefined
        ? `${sc.runAsUser}:${sc.runAsGroup}`
        : String(sc.runAsUser)
      : sc.runAsGroup !== undefined
        ? `0:${sc.runAsGroup}`
        : undefined;
  const groups = [
    ...(pod.spec?.securityContext?.supplementalGroups ?? []),
    ...(pod.spec?.securityContext?.fsGroup !== undefined ? [pod.spec.securityContext.fsGroup] : []),
  ].map(String);

  return {
    name: dockerName(c.name, md.name ?? "", md.namespace ?? "", md.uid ?? "", input.attempt),
    Image: c.image,
    Entrypoint: command,
    Cmd: args ?? (command ? [] : undefined),
    WorkingDir: c.workingDir || undefined,
    Env: [...env].map(([k, v]) => `${k}=${v}`),
    User: user,
    Tty: !!c.tty,
    OpenStdin: !!c.stdin,
    StdinOnce: !!c.stdinOnce,
    AttachStdin: !!c.stdin,
    Labels: podLabels(md.uid ?? "", md.namespace ?? "", md.name ?? "", c.name, input.role, input.attempt),
    StopSignal: "SIGTERM",
    HostConfig: {
      NetworkMode: `container:${input.infraId}`,
      IpcMode: `container:${input.infraId}`,
      Binds: binds,
      Privileged: !!sc.privileged,
      CapAdd: sc.capabilities?.add?.map(capName),
      CapDrop: sc.capabilities?.drop?.map((x) => (x.toUpperCase() === "ALL" ? "ALL" : capName(x))),
      ReadonlyRootfs: !!sc.readOnlyRootFilesystem,
      SecurityOpt: sc.allowPrivilegeEscalation === false ? ["no-new-privileges"] : undefined,
      GroupAdd: groups.length ? groups : undefined,
      Memory: memory ? Math.floor(memory) : undefined,
      NanoCpus: cpu ? Math.floor(cpu * 1e9) : undefined,
      LogConfig: { Type: "json-file", Config: {} },
      RestartPolicy: { Name: "no" },
    },
  };
}
