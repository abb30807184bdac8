import type { V1Pod } from "@kubernetes/client-node";
import type { PodContainer } from "./docker-runtime.js";

/** What the kubelet knows of one container of the pod spec. */
export interface ContainerView {
  name: string;
  image: string;
  current?: PodContainer;
  previous?: PodContainer;
  /** Set when no container runs and why (ContainerCreating, ErrImageNeverPull, CrashLoopBackOff...). */
  waiting?: { reason: string; message?: string };
  ready: boolean;
  started: boolean;
  terminationMessage?: string;
  previousTerminationMessage?: string;
}

export interface PodView {
  podIP: string;
  hostIP: string;
  startTime?: string;
  initContainers: ContainerView[];
  containers: ContainerView[];
  initDone: boolean;
  /** Set when the pod failed for good (an init container failed with restartPolicy Never). */
  failed: boolean;
}

type State = Record<string, unknown>;

function isoSeconds(t: string | undefined): string | undefined {
  if (!t || t.startsWith("0001-")) return undefined;
  return new Date(t).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function terminatedOf(c: PodContainer, message?: string): State {
  const s = c.info.State;
  const reason = s.OOMKilled ? "OOMKilled" : s.ExitCode === 0 ? "Completed" : "Error";
  return {
    terminated: {
      exitCode: s.ExitCode,
      reason,
      ...(message ? { message } : {}),
      startedAt: isoSeconds(s.StartedAt),
      finishedAt: isoSeconds(s.FinishedAt),
      containerID: `docker://${c.id}`,
    },
  };
}

function isExited(c: PodContainer | undefined): boolean {
  return !!c && !c.info.State.Running && c.info.State.Status !== "created";
}

/** One entry of containerStatuses / initContainerStatuses. */
export function containerStatus(v: ContainerView): Record<string, unknown> {
  const cur = v.current;
  let state: State;
  let lastState: State = {};
  if (v.waiting) {
    state = {
      waiting: { reason: v.waiting.reason, ...(v.waiting.message ? { message: v.waiting.message } : {}) },
    };
    if (isExited(cur) && cur) lastState = terminatedOf(cur, v.terminationMessage);
    else if (v.previous) lastState = terminatedOf(v.previous, v.previousTerminationMessage);
  } else if (cur?.info.State.Running) {
    state = { running: { startedAt: isoSeconds(cur.info.State.StartedAt) } };
    if (v.previous) lastState = terminatedOf(v.previous, v.previousTerminationMessage);
  } else if (isExited(cur) && cur) {
    state = terminatedOf(cur, v.terminationMessage);
    if (v.previous) lastState = terminatedOf(v.previous, v.previousTerminationMessage);
  } else {
    state = { waiting: { reason: "ContainerCreating" } };
  }
  return {
    name: v.name,
    state,
    lastState,
    ready: v.ready,
    restartCount: cur?.attempt ?? 0,
    image: v.image,
    imageID: cur ? `docker://${cur.info.Image}` : "",
    ...(cur ? { containerID: `docker://${cur.id}` } : {}),
    started: v.started,
  };
}

/** The pod phase from its containers (pkg/kubelet getPhase). */
export function podPhase(pod: V1Pod, view: PodView): string {
  if (view.failed) return "Failed";
  if (!view.initDone) return "Pending";
  const policy = pod.spec?.restartPolicy ?? "Always";
  let waiting = 0;
  let running = 0;
  let succeeded = 0;
  let failed = 0;
  for (const c of view.containers) {
    const cur = c.current;
    if (cur?.info.State.Running && !c.waiting) running++;
    else if (isExited(cur) && cur) {
      if (c.waiting && policy !== "Never")
        running++; // restarting
      else if (cur.info.State.ExitCode === 0) succeeded++;
      else failed++;
    } else waiting++;
  }
  if (waiting > 0) return "Pending";
  if (running > 0) return "Running";
  if (failed > 0) return policy === "Never" ? "Failed" : "Running";
  if (succeeded > 0) return policy === "Always" ? "Running" : "Succeeded";
  return "Pending";
}

export interface Condition {
  type: string;
  status: "True" | "False";
  reason?: string;
}

/** PodScheduled, Initialized, ContainersReady and Ready (pkg/kubelet/status generate.go). */
export function podConditions(pod: V1Pod, view: PodView, phase: string): Condition[] {
  const notReady = view.containers.filter((c) => !c.ready).map((c) => c.name);
  const terminal = phase === "Succeeded" || phase === "Failed";
  const ready = !terminal && notReady.length === 0 && view.containers.length > 0;
  const reason = terminal ? "PodCompleted" : "ContainersNotReady";
  const pendingInit = view.initContainers.filter(
    (c) => !isExited(c.current) || c.current?.info.State.ExitCode !== 0,
  );
  return [
    { type: "PodReadyToStartContainers", status: view.podIP ? "True" : "False" },
    view.initDone
      ? { type: "Initialized", status: "True" }
      : {
          type: "Initialized",
          status: "False",
          reason: pendingInit.length ? "ContainersNotInitialized" : undefined,
        },
    ready ? { type: "Ready", status: "True" } : { type: "Ready", status: "False", reason },
    ready
      ? { type: "ContainersReady", status: "True" }
      : { type: "ContainersReady", status: "False", reason },
    { type: "PodScheduled", status: "True" },
  ];
}

/** The QoS class a real API server computes from requests and limits. */
export function qosClass(pod: V1Pod): string {
  const cs = pod.spec?.containers ?? [];
  const has = (c: (typeof cs)[number]) =>
    Object.keys(c.resources?.requests ?? {}).length + Object.keys(c.resources?.limits ?? {}).length > 0;
  if (!cs.some(has)) return "BestEffort";
  const guaranteed = cs.every((c) => {
    const l = (c.resources?.limits ?? {}) as Record<string, string>;
    const r = (c.resources?.requests ?? {}) as Record<string, string>;
    return l.cpu && l.memory && (!r.cpu || r.cpu === l.cpu) && (!r.memory || r.memory === l.memory);
  });
  return guaranteed ? "Guaranteed" : "Burstable";
}
