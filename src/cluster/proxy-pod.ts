import { readinessPort, tunnelPort } from "../contract/tunnel-protocol.js";
import { podIpEnv } from "../contract/router-control.js";
import type {
  V1Container,
  V1PodSpec,
  V1PodTemplateSpec,
  V1Pod,
  V1Deployment,
  V1ResourceRequirements,
  V1Service,
} from "@kubernetes/client-node";
import { Annotations, sessionLabels } from "../contract/cluster-labels.js";
import type { SessionInfo } from "../contract/session-info.js";
import { withRestrictedContext } from "./pod-security.js";
import { loadTemplate } from "./templates.js";

/** Where the agent writes the file that says its tunnel listens. */
const readyFileDir = "/tmp";

export interface ProxyOptions {
  sessionId: string;
  agentImage: string;
  /** What the session is, recorded on its objects for `tp status` and `tp cleanup`. */
  info: SessionInfo;
}

/**
 * The port the agent answers the readiness probe on: 7771, or the next one that no container of
 * the pod declares (the pod's other containers share its network, and the agent takes the swapped
 * container's ports for the traffic it forwards).
 */
function readinessPortAvoiding(declared: number[]): number {
  const taken = new Set([tunnelPort, ...declared]);
  let port = readinessPort;
  while (taken.has(port)) port++;
  return port;
}

/** The ports the containers of a pod spec declare. */
function declaredPorts(spec: V1PodSpec | undefined): number[] {
  return [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])].flatMap((c) =>
    (c.ports ?? []).map((p) => p.containerPort),
  );
}

function agentContainer(agentImage: string, probePort = readinessPort): V1Container {
  const [c] = loadTemplate<V1Container>("proxy-container.yaml", {
    agentImage,
    tunnelPort: String(tunnelPort),
    readinessPort: String(probePort),
    // A number: the probe's port as a string would name a container port.
    readinessProbePort: probePort,
  });
  return c as V1Container;
}

/**
 * The swapped container turned into the agent: its name, env, envFrom, volumeMounts, ports,
 * resources (not its devices) and securityContext stay; image, command and args become the agent's; probes and
 * lifecycle hooks go (they were written for the user's program, not for the agent). What Pod
 * Security "restricted" requires is added to the securityContext where it is not set.
 */
export function toProxyContainer(
  original: V1Container,
  agentImage: string,
  podSecurity?: V1PodSpec["securityContext"],
  probePort = readinessPort,
): V1Container {
  const agent = agentContainer(agentImage, probePort);
  const {
    livenessProbe: _l,
    readinessProbe: _r,
    startupProbe: _s,
    lifecycle: _lc,
    workingDir: _w,
    stdin: _i,
    tty: _t,
    ...kept
  } = original;
  const container: V1Container = {
    ...kept,
    ...agent,
    name: original.name,
    securityContext: withRestrictedContext(original.securityContext, podSecurity),
  };
  if (original.resources) container.resources = withoutDevices(original.resources);
  // The agent writes its ready file under /tmp: give it a writable one on a read-only root.
  if (original.securityContext?.readOnlyRootFilesystem) {
    const hasTmp = (original.volumeMounts ?? []).some((m) => m.mountPath === readyFileDir);
    if (!hasTmp)
      container.volumeMounts = [
        ...(original.volumeMounts ?? []),
        { name: "tp-agent-tmp", mountPath: readyFileDir },
      ];
  }
  return container;
}

/** Resources a node has as such (the Downward API reads them); the rest are devices (GPUs…). */
const nativeResource = (name: string) => !name.includes("/") || name.includes("kubernetes.io/");

/**
 * The swapped container's resources without its devices (`nvidia.com/gpu`…): the agent uses none,
 * and a proxy that asked for one would hold it, or wait for one, while the program runs locally.
 */
function withoutDevices(resources: V1ResourceRequirements): V1ResourceRequirements {
  const out: V1ResourceRequirements = { ...resources };
  for (const side of ["requests", "limits"] as const) {
    const list = resources[side];
    if (list) out[side] = Object.fromEntries(Object.entries(list).filter(([k]) => nativeResource(k)));
  }
  return out;
}

function withSysctls(spec: V1PodSpec, template: V1PodSpec | undefined): V1PodSpec {
  const wanted = template?.securityContext?.sysctls ?? [];
  const existing = spec.securityContext?.sysctls ?? [];
  const sysctls = [...existing.filter((s) => !wanted.some((w) => w.name === s.name)), ...wanted];
  return { ...spec, securityContext: { ...spec.securityContext, sysctls } };
}

export function swapProxyPodName(deployment: string, sessionId: string): string {
  return `${deployment.slice(0, 63 - 12)}-tp-${sessionId}`;
}

export function temporaryProxyPodName(sessionId: string): string {
  return `tp-${sessionId}`;
}

/** The proxy pod of --swap-deployment: the workload's pod template with the agent in the target container. */
export function swapProxyPod(
  workload: { metadata?: { name?: string }; spec?: { template?: V1PodTemplateSpec } },
  containerName: string,
  options: ProxyOptions,
): V1Pod {
  const template: V1PodTemplateSpec = structuredClone(workload.spec?.template ?? {});
  const name = swapProxyPodName(workload.metadata?.name as string, options.sessionId);
  const [shape] = loadTemplate<V1Pod>("proxy-pod.yaml", { name });
  const labels = { ...template.metadata?.labels };
  delete labels["pod-template-hash"];
  const spec = template.spec as V1PodSpec;
  const probePort = readinessPortAvoiding(declaredPorts(spec));
  spec.containers = spec.containers.map((c) =>
    c.name === containerName ? toProxyContainer(c, options.agentImage, spec.securityContext, probePort) : c,
  );
  const target = spec.containers.find((c) => c.name === containerName);
  if (target?.volumeMounts?.some((m) => m.name === "tp-agent-tmp")) {
    spec.volumes = [...(spec.volumes ?? []), { name: "tp-agent-tmp", emptyDir: {} }];
  }
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      labels: { ...labels, ...sessionLabels(options.sessionId, "proxy") },
      annotations: {
        ...template.metadata?.annotations,
        [Annotations.sessionInfo]: JSON.stringify(options.info),
      },
    },
    spec: withSysctls(spec, shape?.spec),
  };
}

/** The temporary proxy pod used when no workload is named. */
export function temporaryProxyPod(options: ProxyOptions): V1Pod {
  const name = temporaryProxyPodName(options.sessionId);
  const [shape] = loadTemplate<V1Pod>("proxy-pod.yaml", { name });
  const pod = shape as V1Pod;
  const spec = pod.spec as V1PodSpec;
  spec.containers = spec.containers.map((c) => ({
    ...c,
    ...agentContainer(options.agentImage),
    securityContext: withRestrictedContext(c.securityContext),
  }));
  pod.metadata = {
    ...pod.metadata,
    labels: sessionLabels(options.sessionId, "proxy"),
    annotations: { [Annotations.sessionInfo]: JSON.stringify(options.info) },
  };
  return pod;
}

/** A port of the pod that receives traffic: an --expose of the session. */
export interface ExposedPort {
  port: number;
  protocol: "TCP" | "UDP";
}

/** The Deployment and Service of --new-deployment NAME. */
export function newDeploymentObjects(
  name: string,
  ports: ExposedPort[],
  options: ProxyOptions,
): { deployment: V1Deployment; service: V1Service } {
  const docs = loadTemplate<V1Deployment | V1Service>("new-deployment.yaml", { name });
  const deployment = docs.find((d) => d.kind === "Deployment") as V1Deployment;
  const service = docs.find((d) => d.kind === "Service") as V1Service;
  const labels = sessionLabels(options.sessionId, "new-deployment");
  const info = { [Annotations.sessionInfo]: JSON.stringify(options.info) };
  deployment.metadata = { ...deployment.metadata, labels, annotations: info };
  const podTemplate = deployment.spec?.template as V1PodTemplateSpec;
  podTemplate.metadata = {
    ...podTemplate.metadata,
    labels: { ...podTemplate.metadata?.labels, ...sessionLabels(options.sessionId, "proxy") },
    annotations: info,
  };
  const podSpec = podTemplate.spec as V1PodSpec;
  podSpec.containers = podSpec.containers.map((c) => ({
    ...c,
    ...agentContainer(options.agentImage, readinessPortAvoiding(ports.map((p) => p.port))),
    name: c.name,
    securityContext: withRestrictedContext(c.securityContext),
    ports: ports.map((p) => ({ containerPort: p.port, protocol: p.protocol })),
  }));
  service.metadata = {
    ...service.metadata,
    labels: sessionLabels(options.sessionId, "service"),
    annotations: info,
  };
  const unique = ports.filter(
    (p, i) => ports.findIndex((q) => q.port === p.port && q.protocol === p.protocol) === i,
  );
  service.spec = {
    ...service.spec,
    ports: unique.map((p) => ({
      name: `${p.protocol.toLowerCase()}-${p.port}`,
      port: p.port,
      targetPort: p.port as never,
      protocol: p.protocol,
    })),
    ...(unique.length === 0 ? { clusterIP: "None" } : {}),
  };
  return { deployment, service };
}

/**
 * The proxy pod of --intercept: made from the pod template like a swap's (env, volumes, service
 * account) but WITHOUT the template's labels, so that it never joins the workload's Services; its
 * agent registers with the router (`registration`) and learns its own IP from the Downward API.
 */
export function interceptProxyPod(
  workload: { metadata?: { name?: string }; spec?: { template?: V1PodTemplateSpec } },
  containerName: string,
  options: ProxyOptions,
  registration: { name: string; value: string },
): V1Pod {
  const pod = swapProxyPod(workload, containerName, options);
  pod.metadata = { ...pod.metadata, labels: sessionLabels(options.sessionId, "proxy") };
  const spec = pod.spec as V1PodSpec;
  // A StatefulSet's claim templates belong to its replicas: the extra pod mounts none of them.
  const volumes = new Set((spec.volumes ?? []).map((v) => v.name));
  const ownMounts = (mounts: V1Container["volumeMounts"]) => mounts?.filter((m) => volumes.has(m.name));
  // Nor does it take the node's host ports, which the replicas hold: it would never be placed.
  const ownPorts = (ports: V1Container["ports"]) => ports?.map(({ hostPort: _h, hostIP: _i, ...p }) => p);
  spec.containers = spec.containers.map((c) => ({
    ...c,
    volumeMounts: ownMounts(c.volumeMounts),
    ports: ownPorts(c.ports),
  }));
  spec.initContainers = spec.initContainers?.map((c) => ({ ...c, volumeMounts: ownMounts(c.volumeMounts) }));
  spec.containers = spec.containers.map((c) =>
    c.name === containerName
      ? {
          ...c,
          env: [
            ...(c.env ?? []).filter((e) => e.name !== registration.name && e.name !== podIpEnv),
            registration,
            { name: podIpEnv, valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
          ],
        }
      : c,
  );
  return pod;
}
