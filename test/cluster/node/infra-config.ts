import type { V1Pod } from "@kubernetes/client-node";
import type { ContainerCreateOptions } from "dockerode";
import { dockerName, infraName, podLabels } from "./labels.js";
import { clusterDomain, podHostname } from "./pod-files.js";
/** A static program that holds the namespace and serves port-forwards (node/native/pf-helper.c). */
export const infraImage = "tp-test-infra:local";

/**
 * The pod's infra container (the pause container of a real node): it owns the pod's network
 * namespace on the cluster network, its hostname and sysctls; every container of the pod joins it.
 * Its process serves port-forwards to the pod's loopback (see port-forward-helper.ts), so that
 * the first port-forward does not wait for a container of its own; it is a small static program,
 * so that a pod that is never port-forwarded costs the node no Node process.
 */
export function infraConfig(
  pod: V1Pod,
  network: string,
  podFiles: { hosts: string; resolvConf: string; portForward: string },
  attempt: number,
): ContainerCreateOptions {
  const md = pod.metadata ?? {};
  const sysctls = Object.fromEntries(
    (pod.spec?.securityContext?.sysctls ?? []).map((s) => [s.name, s.value] as [string, string]),
  );
  const sub = pod.spec?.subdomain;
  return {
    name: dockerName(infraName, md.name ?? "", md.namespace ?? "", md.uid ?? "", attempt),
    Image: infraImage,
    Entrypoint: ["/pause"],
    Cmd: [],
    Hostname: podHostname(pod),
    Domainname: sub ? `${sub}.${md.namespace}.svc.${clusterDomain}` : undefined,
    Labels: podLabels(md.uid ?? "", md.namespace ?? "", md.name ?? "", infraName, "infra", attempt),
    HostConfig: {
      NetworkMode: network,
      IpcMode: "shareable",
      Sysctls: Object.keys(sysctls).length ? sysctls : undefined,
      Binds: [
        `${podFiles.hosts}:/etc/hosts`,
        `${podFiles.resolvConf}:/etc/resolv.conf`,
        `${podFiles.portForward}:/pf`,
      ],
      RestartPolicy: { Name: "no" },
      LogConfig: { Type: "json-file", Config: {} },
    },
  };
}
