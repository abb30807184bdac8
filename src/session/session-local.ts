import type Dockerode from "dockerode";
import type { RemoteEnd } from "../kube/remote-end.js";
import { DockerLabels } from "../contract/docker-labels.js";
import { ownerLabels } from "../docker/local-sessions.js";
import type { StartedSidecar } from "../docker/sidecar.js";
import type { SocketFolder } from "../docker/socket-folder.js";
import type { Reporter } from "./reporter.js";
import type { SessionVolumes } from "./session-volumes.js";
import { hostProcessSidecar } from "./host-local.js";
import type { SessionEnds, SessionTunnel } from "./session-ends.js";
import type { SessionRequest } from "./session.js";
import { reachStage, Stages } from "../stages.js";
import type { UndoStep } from "./started-session.js";
import { autoExposed, localHostname, type Workload } from "./workload.js";

/** What the local side's start needs of its session. */
export interface LocalContext {
  namespace: string;
  docker: Dockerode;
  request: SessionRequest;
  progress: Reporter;
  id: string;
  ends: SessionEnds;
}

/** What a session starts locally (see startLocal). */
export interface LocalSide {
  volumes: SessionVolumes | undefined;
  sidecar: StartedSidecar;
  /** Labels for the session's local containers. */
  labels: Record<string, string>;
  /** The tunnel, its pipe into the sidecar already open. */
  link: SessionTunnel;
  /** The folder of the sidecar's sockets, when the CLI can reach them directly. */
  sockets: SocketFolder | undefined;
  /** Ends the "starting the local sidecar" progress line. */
  endStep: (done?: string) => void;
  /** Host ports the sidecar may reach (container-to-host). */
  hostPorts: number[];
}

/**
 * The local side of a session, which needs only the proxy pod's spec: the session folder for
 * its volumes, then the sidecar until it says it is ready, and the pipe into it (opened while
 * the pod may still be starting). Undo steps are added as things are made.
 */
export async function startLocal(
  ctx: LocalContext,
  remote: RemoteEnd,
  undo: UndoStep[],
  prepared: Promise<SessionVolumes | undefined>,
  w: Workload,
  signal: AbortSignal,
): Promise<LocalSide> {
  const { namespace, docker, request, progress, id, ends } = ctx;
  const volumes = await prepared;
  if (volumes) undo.push({ what: "session folder", run: () => volumes.remove(docker, request.agentImage) });
  const volumeSidecar = volumes?.sidecarOptions();
  const sockets = await ends.socketFolder(id);
  // Removed once: by the sidecar's step below, or by its own where no sidecar was started.
  let socketsGone: Promise<void> | undefined;
  const removeSockets = () => (socketsGone ??= sockets?.remove() ?? Promise.resolve());
  if (sockets) undo.push({ what: "socket folder", run: async () => (await removeSockets(), []) });
  await reachStage(Stages.localFolders, signal);
  signal.throwIfAborted();
  const expose = [
    ...request.sidecar.expose,
    ...autoExposed(remote, request.sidecar.expose, request.autoExpose),
  ];
  const host = request.hostProcess
    ? hostProcessSidecar(expose, request.sidecar.containerToHost ?? [])
    : undefined;
  // The pod's hostAliases: in the /etc/hosts the user container shares (the sidecar's), and given
  // before DNS when a program on this machine resolves a name, as the pod's /etc/hosts is.
  const aliases = (remote.admitted?.spec?.hostAliases ?? []).flatMap((a) =>
    (a.hostnames ?? []).map((name) => ({ name, ip: a.ip })),
  );
  const config = { ...request.sidecar, expose, hosts: aliases, ...host?.config };
  const endStep = progress.step("starting the local sidecar");
  const labels = {
    ...ownerLabels(),
    ...request.sidecarExtra?.labels,
    [DockerLabels.remote]: `${namespace}/${remote.pod}`,
    ...(request.context ? { [DockerLabels.context]: request.context } : {}),
  };
  const sidecar = await ends.startSidecar({
    sessionId: id,
    image: request.agentImage,
    config,
    // As the kubelet names a pod's host: its spec.hostname where set (a template's own), else its
    // name; not a pod on the node's network (the node's name), nor setHostnameAsFQDN's full name.
    hostname:
      (!remote.admitted?.spec?.hostNetwork && remote.admitted?.spec?.hostname) || localHostname(w, id),
    publish: [...request.publish, ...(host?.publish ?? [])],
    ...request.sidecarExtra,
    extraHosts: [
      ...aliases.map(({ name, ip }) => `${name}:${ip}`),
      ...(request.sidecarExtra?.extraHosts ?? []),
    ],
    labels: { ...labels, ...volumeSidecar?.labels, ...sockets?.labels },
    binds: [...(volumeSidecar?.binds ?? []), ...(sockets ? [sockets.bind] : [])],
    env: { ...volumeSidecar?.env, ...host?.env },
  });
  progress.debug("sidecar started");
  undo.push({
    what: "sidecar",
    // Its labels are what name the session and socket folders to tp cleanup: stopped first, it
    // is removed only once the folders are gone, so that a crash in between leaves nothing unnamed.
    run: async () => {
      await sidecar.stop();
      const folder = volumes ? await volumes.remove(docker, request.agentImage) : [];
      await removeSockets();
      await sidecar.remove();
      return [...folder, `sidecar ${sidecar.name} removed`];
    },
  });
  await sidecar.waitFor("ready", 20_000);
  progress.debug("sidecar ready");
  await reachStage(Stages.sidecarUp, signal);
  signal.throwIfAborted();
  const link = ends.tunnel(remote, sidecar, sockets, progress);
  await link.prepare();
  const hostPorts = (config.containerToHost ?? []).map((c) => c.hostPort);
  return { volumes, sidecar, labels, link, endStep, sockets, hostPorts };
}
