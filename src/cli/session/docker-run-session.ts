import type Dockerode from "dockerode";
import { randomBytes } from "node:crypto";
import type { SidecarConfig } from "../../agent/sidecar-config.js";
import { useExistingDeployment } from "../../cluster/existing-deployment.js";
import type { Kube } from "../../cluster/kube.js";
import { kubeCall } from "../../cluster/kube-call.js";
import { startNewDeployment } from "../../cluster/new-deployment.js";
import { readPodEnv } from "../../cluster/pod-env.js";
import type { RemoteEnd, StartOptions } from "../../cluster/remote-end.js";
import { leaseName, SessionLease } from "../../cluster/session-lease.js";
import { swapProxyPodName, temporaryProxyPodName } from "../../cluster/proxy-pod.js";
import { startWarden, wardenPlanFor } from "../../cluster/warden.js";
import { swapDeployment } from "../../cluster/swap.js";
import { startTemporaryProxy } from "../../cluster/temporary-proxy.js";
import type { DockerRunArgs } from "../../docker/docker-run-args.js";
import { requireLocalImage } from "../../docker/images.js";
import { DockerLabels } from "../../docker/labels.js";
import { ownerLabels } from "../../docker/local-sessions.js";
import { startSidecar, type StartedSidecar } from "../../docker/sidecar.js";
import { runUserContainer } from "../../docker/user-container.js";
import type { Progress } from "../progress.js";
import { writeEnvOutputs } from "./env-output.js";
import { Interrupt } from "./interrupt.js";
import { warnAboutLeftovers } from "./leftovers.js";
import { TunnelLink } from "./tunnel-link.js";

export type Workload =
  | { kind: "swap"; name: string; container?: string }
  | { kind: "new"; name: string }
  | { kind: "existing"; name: string }
  | { kind: "temporary" };

export interface DockerRunRequest {
  workload: Workload;
  sidecar: Partial<SidecarConfig> & { expose: SidecarConfig["expose"] };
  autoExpose: boolean;
  envFile?: string;
  envJson?: string;
  agentImage: string;
  context?: string;
  run: DockerRunArgs;
}

function startRemote(
  kube: Kube,
  request: DockerRunRequest,
  options: StartOptions,
  warn: (t: string) => void,
): Promise<RemoteEnd> {
  const w = request.workload;
  switch (w.kind) {
    case "swap":
      return swapDeployment(kube, {
        ...options,
        deployment: w.name,
        ...(w.container ? { container: w.container } : {}),
        warn,
      });
    case "new":
      return startNewDeployment(kube, {
        ...options,
        name: w.name,
        ports: request.sidecar.expose.map((e) => e.remotePort),
      });
    case "existing":
      return useExistingDeployment(kube, { ...options, name: w.name });
    case "temporary":
      return startTemporaryProxy(kube, options);
  }
}

/** What the warden undoes if this process dies: the names are known before anything starts. */
function undoPlanOf(w: Workload, sessionId: string): Omit<Parameters<typeof wardenPlanFor>[3], never> {
  switch (w.kind) {
    case "swap":
      return {
        restoreDeployment: w.name,
        deleteDeployments: [],
        deleteServices: [],
        deletePods: [swapProxyPodName(w.name, sessionId)],
      };
    case "new":
      return { deleteDeployments: [w.name], deleteServices: [w.name], deletePods: [] };
    case "temporary":
      return { deleteDeployments: [], deleteServices: [], deletePods: [temporaryProxyPodName(sessionId)] };
    case "existing":
      return { deleteDeployments: [], deleteServices: [], deletePods: [] };
  }
}

/** The local hostname: the proxy pod's name where it is known in advance. */
function localHostname(w: Workload, sessionId: string): string {
  if (w.kind === "swap") return swapProxyPodName(w.name, sessionId);
  if (w.kind === "temporary") return temporaryProxyPodName(sessionId);
  return w.name;
}

/** Ports of the swapped container that are exposed without being asked (--no-auto-expose turns it off). */
function autoExposed(remote: RemoteEnd, request: DockerRunRequest): SidecarConfig["expose"] {
  if (!request.autoExpose || !remote.original) return [];
  const taken = new Set(request.sidecar.expose.map((e) => e.remotePort));
  return (remote.original.ports ?? [])
    .filter((p) => (p.protocol ?? "TCP") === "TCP" && !taken.has(p.containerPort))
    .map((p) => ({ localPort: p.containerPort, remotePort: p.containerPort }));
}

/**
 * tp docker-run: the proxy in the cluster, the sidecar and the tunnel, then the user's container
 * in the sidecar's namespace; everything undone at the end, on a signal, and on failure.
 * Returns the exit code: the container's, or 130/143 after a signal.
 */
export async function dockerRunSession(
  kube: Kube,
  docker: Dockerode,
  request: DockerRunRequest,
  progress: Progress,
): Promise<number> {
  const sessionId = randomBytes(4).toString("hex");
  const namespace = kube.namespace;
  const interrupt = new Interrupt();
  const undo: { what: string; run: () => Promise<string[]> }[] = [];
  let exitCode: number | undefined;
  try {
    await interrupt.race(
      Promise.all([
        requireLocalImage(
          docker,
          request.agentImage,
          "build it with `npm run images` (or docker build -f sidecar-image/Dockerfile)",
        ),
        requireLocalImage(
          docker,
          request.run.image,
          "build or pull it first: tp docker-run does not pull images",
        ),
      ]),
    );
    // One quick call first, so that an unreachable cluster fails fast and clearly.
    await interrupt.race(kubeCall("reach the cluster", () => kube.version.getCode()));
    await warnAboutLeftovers(kube, docker, namespace, progress).catch(() => undefined);

    const info = {
      kind: request.workload.kind,
      namespace,
      ...("name" in request.workload ? { deployment: request.workload.name } : {}),
    };
    const lease = new SessionLease(kube, namespace, sessionId, info);
    await interrupt.race(lease.create());
    undo.push({ what: "session record", run: async () => ((await lease.delete()) ? [] : []) });
    const plan = wardenPlanFor(
      sessionId,
      namespace,
      leaseName(sessionId),
      undoPlanOf(request.workload, sessionId),
    );
    const warden = await interrupt.race(
      startWarden(kube, plan, request.agentImage, { name: leaseName(sessionId), uid: lease.uid }, (t) =>
        progress.warn(t),
      ),
    );
    if (warden) undo.push({ what: "warden", run: () => warden.remove() });

    const labels = {
      ...ownerLabels(),
      [DockerLabels.remote]: namespace,
      ...(request.context ? { [DockerLabels.context]: request.context } : {}),
    };
    const options: StartOptions = {
      namespace,
      sessionId,
      agentImage: request.agentImage,
      step: (t) => progress.step(t),
    };
    const remote = await interrupt.race(startRemote(kube, request, options, (t) => progress.warn(t)));
    undo.push({ what: "cluster", run: () => remote.restore() });

    const expose = [...request.sidecar.expose, ...autoExposed(remote, request)];
    const endSidecar = progress.step("starting the local sidecar");
    const sidecarPromise = startSidecar(docker, {
      sessionId,
      image: request.agentImage,
      config: { ...request.sidecar, expose },
      hostname: localHostname(request.workload, sessionId),
      publish: request.run.publish,
      labels: { ...labels, [DockerLabels.remote]: `${namespace}/${remote.pod}` },
    });
    sidecarPromise.catch(() => undefined);
    const [podEnv, sidecar] = await interrupt.race(Promise.all([readPodEnv(kube, remote), sidecarPromise]));
    undo.push({
      what: "sidecar",
      run: async () => (await sidecar.remove(), [`sidecar ${sidecar.name} removed`]),
    });
    await interrupt.race(sidecar.waitFor("ready", 20_000));
    const link = new TunnelLink(kube, docker, remote, sidecar, progress);
    await interrupt.race(link.start());
    undo.push({ what: "tunnel", run: async () => (await link.stop(), []) });
    endSidecar("sidecar ready, tunnel up");
    reportSidecarEvents(sidecar, progress);

    const env: Record<string, string> = {
      ...podEnv,
      TELEPRESENCE_POD: remote.pod,
      TELEPRESENCE_CONTAINER: remote.container,
      TELEPRESENCE_ROOT: "/telepresence",
      TELEPRESENCE_METHOD: "container",
    };
    const removeEnvFiles = writeEnvOutputs(env, { envFile: request.envFile, envJson: request.envJson }, (t) =>
      progress.warn(t),
    );
    undo.push({ what: "environment files", run: async () => (removeEnvFiles(), []) });

    progress.info(`${remote.description}: starting ${request.run.image}`);
    const user = runUserContainer({
      sessionId,
      sidecar: sidecar.name,
      env,
      mounts: [],
      run: request.run,
      labels,
    });
    undo.push({ what: "container", run: async () => (await forceRemove(docker, user.name), []) });
    interrupt.onSignal((signal) => {
      user.child.kill(signal);
      // A container whose main process ignores the signal is stopped for it.
      setTimeout(() => void forceRemove(docker, user.name), 3_000).unref();
    });
    exitCode = await Promise.race([user.exited, link.failed, lease.lost]);
    if (interrupt.signal) exitCode = interrupt.exitCode;
    return exitCode;
  } finally {
    await undoAll(undo, progress);
    interrupt.dispose();
  }
}

function reportSidecarEvents(sidecar: StartedSidecar, progress: Progress): void {
  sidecar.onEvent((s) => {
    if (s.event === "listen-error") progress.warn(`the proxy cannot listen on port ${s.port}: ${s.message}`);
  });
}

async function forceRemove(docker: Dockerode, name: string): Promise<void> {
  await docker
    .getContainer(name)
    .remove({ force: true })
    .catch(() => undefined);
}

/** Undo in reverse order of doing: container, sidecar, cluster, session record. */
async function undoAll(
  undo: { what: string; run: () => Promise<string[]> }[],
  progress: Progress,
): Promise<void> {
  for (const step of undo.reverse()) {
    try {
      for (const line of await step.run()) progress.info(line);
    } catch (err) {
      progress.warn(`could not undo the ${step.what}: ${(err as Error).message}; run \`tp cleanup\``);
    }
  }
}
