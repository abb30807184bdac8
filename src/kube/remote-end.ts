import type { V1Container, V1Pod } from "@kubernetes/client-node";

/** The cluster end of a session: the pod whose agent the tunnel reaches. */
export interface RemoteEnd {
  namespace: string;
  /** The proxy pod. */
  pod: string;
  /** The agent's container in that pod. */
  container: string;
  /** With --swap-deployment: the swapped container as the Deployment defines it. */
  original?: V1Container;
  /** For messages: "deployment default/example (swapped)". */
  description: string;
  /** The proxy pod as the API server admitted it (with the volumes admission added). */
  admitted?: V1Pod;
  /**
   * Resolves once the agent's container runs. The RemoteEnd is returned as soon as the proxy pod
   * exists, so that local work (the sidecar) overlaps the pod's start; rejects when it never will.
   */
  running: Promise<void>;
  /**
   * Resolves once the proxy pod is Ready: its readiness probe is answered by the agent, so
   * a first connection need not wait for the next attempt. Absent: not known.
   */
  listening?: Promise<void>;
  /** Resolves once the proxy is Ready. The tunnel starts meanwhile, as soon as the agent runs. */
  ready: Promise<void>;
  /**
   * Send the workload's traffic to the proxy alone (--swap-deployment: scale the Deployment to 0,
   * once the proxy is Ready). Called when the session's own container runs, so that the workload's
   * pods serve until then. Absent: nothing to take over.
   */
  takeOver?: () => Promise<void>;
  /**
   * Rejects, naming it, when a part of the cluster end is gone for good (the proxy pod, an
   * intercept's router): the session then ends at once. Absent: nothing is watched.
   */
  lost?: Promise<never>;
  /** Undo every change of the session in the cluster; returns what was done, one line each. */
  restore(): Promise<string[]>;
}

export interface StartOptions {
  namespace: string;
  sessionId: string;
  agentImage: string;
  /** Aborted when the session is undone while it starts: stop before making another change. */
  signal?: AbortSignal;
  /** Called when a slow step starts; the returned function when it ends. */
  step?: (text: string) => (done?: string) => void;
  /** The proxy's ports the user asked for (--expose REMOTE). */
  exposePorts?: number[];
  /** Tells the user something once. */
  warn?: (text: string) => void;
  /** The session's Lease: it controls the proxy pod, so no workload controller adopts it. */
  lease?: { name: string; uid: string };
}
