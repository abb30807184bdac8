import type { V1Pod } from "@kubernetes/client-node";
import { TpError } from "../errors.js";
import { waitFor } from "../wait.js";
import { kubeCall, limitsHint } from "../kube/kube-call.js";
import type { Kube } from "../kube/kube.js";

/** Waiting reasons that will not fix themselves while we wait. */
const fatalReasons = new Set([
  "ErrImagePull",
  "ImagePullBackOff",
  "ErrImageNeverPull",
  "InvalidImageName",
  "CreateContainerConfigError",
  "CreateContainerError",
  "CrashLoopBackOff",
  "RunContainerError",
]);

/**
 * Why a pod will never become ready, or undefined while it still may. With `only`, the states of
 * that container alone count (the pod's own end and refusal still do). For `agent`, tp's own
 * container, the reason ends with what it said last: another container's termination message is
 * the user's program's, which tp does not print (it may hold anything).
 */
export function podFailure(pod: V1Pod, only?: string, agent: string | undefined = only): string | undefined {
  const name = `pod ${pod.metadata?.namespace}/${pod.metadata?.name}`;
  if (pod.status?.phase === "Failed" || pod.status?.phase === "Succeeded") {
    return `${name} ended (${pod.status.phase}${pod.status.reason ? `: ${pod.status.reason}` : ""}${pod.status.message ? `: ${pod.status.message}` : ""})`;
  }
  if (pod.status?.reason === "SysctlForbidden" || /sysctl/i.test(pod.status?.message ?? "")) {
    return `${name} was refused: ${pod.status?.message ?? pod.status?.reason}`;
  }
  for (const cs of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
    if (only !== undefined && cs.name !== only) continue;
    const waiting = cs.state?.waiting;
    const said = (message: string | undefined) => (cs.name === agent ? lastWords(message) : "");
    if (waiting?.reason && fatalReasons.has(waiting.reason)) {
      const last = waiting.reason === "CrashLoopBackOff" ? cs.lastState?.terminated : undefined;
      return (
        `container ${cs.name} of ${name} cannot start: ${waiting.reason}${waiting.message ? ` (${waiting.message})` : ""}` +
        (last ? `; its last run exited with code ${last.exitCode}${said(last.message)}` : "")
      );
    }
    const terminated = cs.state?.terminated;
    if (terminated && pod.spec?.restartPolicy === "Never") {
      return `container ${cs.name} of ${name} exited with code ${terminated.exitCode}${terminated.reason ? ` (${terminated.reason})` : ""}${said(terminated.message)}`;
    }
  }
  return undefined;
}

/**
 * What tp's agent said last, from its termination message (the end of its log, with
 * FallbackToLogsOnError): the last line that is not a hint, a stack frame or Node's version line,
 * without control characters. What a program that failed says last is nearly always why.
 */
function lastWords(message: string | undefined): string {
  const line = (message ?? "")
    .split("\n")
    // eslint-disable-next-line no-control-regex
    .map((l) => l.replace(/[\u0000-\u001f\u007f-\u009f]/g, "").trim())
    .filter((l) => l && !/^(at |hint: |Node\.js v\d)/.test(l))
    .at(-1);
  return line ? `: ${line.length > 300 ? `${line.slice(0, 300)}...` : line}` : "";
}

export function isPodReady(pod: V1Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
}

/** Whether the named container of a pod has started. */
export function isContainerRunning(pod: V1Pod, container: string): boolean {
  return (
    pod.status?.containerStatuses?.some((c) => c.name === container && c.state?.running !== undefined) ??
    false
  );
}

export type PodCondition = "ready" | { running: string };

function meets(pod: V1Pod, condition: PodCondition): boolean {
  return condition === "ready" ? isPodReady(pod) : isContainerRunning(pod, condition.running);
}

/** Throw, with a hint, when a pod will never get there. */
function throwIfFailed(pod: V1Pod, agent: string | undefined): void {
  const failure = podFailure(pod, undefined, agent);
  if (failure) throw new TpError("cluster-error", failure, { hint: hintFor(failure) });
}

/** Wait until the pod is Ready (or a container of it runs); fail early with the reason when it never will. */
export async function waitForPodReady(
  kube: Kube,
  namespace: string,
  name: string,
  timeoutMs = 120_000,
  condition: PodCondition = "ready",
  /** Shown each pod read, before it is judged. */
  seen?: (pod: V1Pod) => void,
  /** tp's container in the pod, whose last words a failure shows (see podFailure). */
  agent: string | undefined = typeof condition === "object" ? condition.running : undefined,
): Promise<V1Pod> {
  return waitFor(
    `pod ${namespace}/${name} to ${condition === "ready" ? "become ready" : "start"}`,
    async () => {
      const pod = await kubeCall(`read pod ${namespace}/${name}`, () =>
        kube.core.readNamespacedPod({ name, namespace }),
      );
      seen?.(pod);
      if (pod.metadata?.deletionTimestamp)
        throw new TpError("cluster-error", `pod ${namespace}/${name} is being deleted`);
      throwIfFailed(pod, agent);
      return meets(pod, condition) ? pod : undefined;
    },
    { timeoutMs, intervalMs: 50, hint: `kubectl describe pod -n ${namespace} ${name}` },
  );
}

function hintFor(failure: string): string | undefined {
  if (/Image|image/.test(failure)) {
    return "the cluster cannot get the tp-agent image: push it to a registry the cluster pulls from (see README) and pass --agent-image";
  }
  if (/sysctl/i.test(failure)) {
    return "this cluster refuses the net.ipv4.ip_unprivileged_port_start sysctl; expose ports >= 1024 only, or ask the cluster admin to allow it";
  }
  return undefined;
}

/**
 * The start of a proxy pod, as promises: `running` once its agent's container runs, `listening`
 * once the pod is Ready (its probe checks that the agent listens), and `unschedulable` with the
 * scheduler's message if it finds no node with room for the pod first (a host port taken, not
 * enough cpu or memory…), else undefined. Failures are handled by whoever awaits them.
 */
export function proxyPodStages(
  kube: Kube,
  namespace: string,
  name: string,
  container: string,
): { running: Promise<void>; listening: Promise<void>; unschedulable: Promise<string | undefined> } {
  let noRoomFound: (message: string | undefined) => void = () => undefined;
  const unschedulable = new Promise<string | undefined>((resolve) => (noRoomFound = resolve));
  const running = waitForPodReady(kube, namespace, name, 120_000, { running: container }, (pod) => {
    const scheduled = pod.status?.conditions?.find((c) => c.type === "PodScheduled");
    if (
      scheduled?.status === "False" &&
      scheduled.reason === "Unschedulable" &&
      noRoom.test(scheduled.message ?? "")
    )
      noRoomFound(scheduled.message);
  }).then(() => undefined);
  void running.then(
    () => noRoomFound(undefined),
    () => noRoomFound(undefined),
  );
  const listening = running.then(
    async () => void (await waitForPodReady(kube, namespace, name, 120_000, "ready", undefined, container)),
  );
  running.catch(() => undefined);
  listening.catch(() => undefined);
  return { running, listening, unschedulable };
}

/** Wait until a pod of the given label selector is Ready and return it. */
export async function waitForSelectedPod(
  kube: Kube,
  namespace: string,
  selector: string,
  timeoutMs = 120_000,
  condition: PodCondition = "ready",
  /** Why the pods' controller cannot create one (asked until one is found), or undefined. */
  refused?: () => Promise<string | undefined>,
  /** tp's container in the pods (see podFailure). */
  agent: string | undefined = typeof condition === "object" ? condition.running : undefined,
): Promise<V1Pod> {
  return waitFor(
    `a ready pod with labels ${selector} in ${namespace}`,
    async () => {
      const list = await kubeCall(`list pods ${selector}`, () =>
        kube.core.listNamespacedPod({ namespace, labelSelector: selector }),
      );
      const live = list.items.filter((p) => !p.metadata?.deletionTimestamp);
      for (const pod of live) throwIfFailed(pod, agent);
      const found = live.find((pod) => meets(pod, condition));
      const why = found ? undefined : await refused?.();
      if (why) throw new TpError("cluster-error", why, { hint: limitsHint(why) });
      return found;
    },
    { timeoutMs, intervalMs: 100 },
  );
}

/**
 * What the scheduler says when no node has room for a pod beside the others: ports, resources, a
 * volume one pod may use, or a required pod anti-affinity (the pod's own, or the others', which a
 * copy of their template meets either way).
 */
const noRoom =
  /didn't have free ports|Insufficient [a-z]|Too many pods|ReadWriteOncePod|didn't match pod anti-affinity rules|didn't satisfy existing pods anti-affinity rules/i;
