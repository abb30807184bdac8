import type { ExposedPort } from "../cluster/proxy-pod.js";
import type Dockerode from "dockerode";
import type { Kube } from "../kube/kube.js";
import type { AgentSession } from "../kube/agent-session.js";
import type { RemoteEnd, StartOptions } from "../kube/remote-end.js";
import { readPodEnv } from "../cluster/pod-env.js";
import { sessionEnvAhead } from "../cluster/env-ahead.js";
import { undoPlan, type UndoPlan } from "../kube/undo-plan.js";
import { SessionLease } from "../cluster/session-lease.js";
import { startWarden, type StartedWarden } from "../cluster/warden.js";
import type { SessionInfo } from "../contract/session-info.js";
import type { WardenPlan } from "../contract/warden-plan.js";
import { startSidecar, type SidecarOptions, type StartedSidecar } from "../docker/sidecar.js";
import { SocketFolder } from "../docker/socket-folder.js";
import { createLocalRecord, type MadeLocalRecord } from "./local-record.js";
import type { Reporter } from "./reporter.js";
import { TunnelLink } from "./tunnel-link.js";
import { tunnelEnds } from "./tunnel-ends.js";
import { loadMemoryTrim } from "../tunnel/index.js";
import { startRemote, type Workload } from "./workload.js";

/** The session's record in the cluster: a Lease the CLI renews (see SessionLease). */
export type SessionRecord = Pick<SessionLease, "uid" | "lost" | "delete">;

/** What a session needs of the tunnel (see TunnelLink). */
export type SessionTunnel = Pick<TunnelLink, "prepare" | "start" | "stop" | "failed">;

/**
 * What a Session makes at the cluster end and at the local end. Passed in, so that the engine's
 * order of doing and undoing can be tested with fakes; {@link realEnds} is Kubernetes and Docker.
 */
export interface SessionEnds {
  createRecord(namespace: string, sessionId: string, info: SessionInfo): Promise<SessionRecord>;
  startRemote(
    w: Workload,
    exposePorts: ExposedPort[],
    options: StartOptions,
    warn: (t: string) => void,
  ): Promise<RemoteEnd>;
  startWarden(
    plan: WardenPlan,
    agentImage: string,
    owner: { name: string; uid: string },
    warn: (t: string) => void,
  ): Promise<StartedWarden | undefined>;
  /** Undo a cluster end whose start did not finish, by name from the session's plan. */
  undoRemote(plan: UndoPlan): Promise<string[]>;
  readPodEnv(remote: RemoteEnd): Promise<{ env: Record<string, string>; session?: AgentSession }>;
  /** The env readPodEnv will give, resolved from the API before the agent runs, if it can be. */
  envAhead?(remote: RemoteEnd, debug: (text: string) => void): Promise<Record<string, string> | undefined>;
  /** The session's record of its local files (see local-record.ts), before the first of them. */
  localRecord(sessionId: string, chosenFolder?: string, namespace?: string): Promise<MadeLocalRecord>;
  socketFolder(sessionId: string): Promise<SocketFolder | undefined>;
  startSidecar(options: SidecarOptions): Promise<StartedSidecar>;
  tunnel(
    remote: RemoteEnd,
    sidecar: StartedSidecar,
    sockets: SocketFolder | undefined,
    progress: Reporter,
  ): SessionTunnel;
}

export function realEnds(kube: Kube, docker: Dockerode): SessionEnds {
  return {
    createRecord: async (namespace, sessionId, info) => {
      const lease = new SessionLease(kube, namespace, sessionId, info);
      await lease.create();
      return lease;
    },
    startRemote: (w, exposePorts, options, warn) => startRemote(kube, w, exposePorts, options, warn),
    startWarden: (plan, agentImage, owner, warn) => startWarden(kube, plan, agentImage, owner, warn),
    undoRemote: (plan) => undoPlan(kube, plan),
    readPodEnv: (remote) => readPodEnv(kube, remote),
    envAhead: (remote, debug) => sessionEnvAhead(kube, remote, debug),
    localRecord: (sessionId, chosenFolder, namespace) =>
      createLocalRecord(sessionId, chosenFolder, namespace),
    socketFolder: (sessionId) => SocketFolder.create(docker, sessionId),
    startSidecar: (options) => startSidecar(docker, options),
    tunnel: (remote, sidecar, sockets, progress) =>
      new TunnelLink(tunnelEnds(kube, docker, remote, sidecar, sockets), remote, sidecar, progress, {
        trimMemory: loadMemoryTrim(),
      }),
  };
}
