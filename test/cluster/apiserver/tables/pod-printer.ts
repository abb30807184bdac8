import { type KubeObject, asObject as obj, asObjects as arr } from "../../shared/kube-object.js";
import { age, humanDuration } from "./human-duration.js";
import { col, type Printer } from "./table-types.js";

/** The STATUS, READY and RESTARTS cells as printPod in k8s.io/kubernetes/pkg/printers/internalversion computes them. */
export function podStatusCells(pod: KubeObject): { ready: string; reason: string; restarts: string } {
  const spec = obj(pod.spec);
  const status = obj(pod.status);
  const containers = arr(spec.containers);
  let restarts = 0;
  let lastRestart = 0;
  let readyContainers = 0;
  let reason = String(status.phase ?? "");
  if (status.reason) reason = String(status.reason);
  let initializing = false;
  const initStatuses = arr(status.initContainerStatuses);
  initStatuses.forEach((c, i) => {
    restarts += Number(c.restartCount ?? 0);
    const state = obj(c.state);
    const term = obj(state.terminated);
    const wait = obj(state.waiting);
    if (state.terminated && term.exitCode === 0) return;
    if (initializing) return;
    initializing = true;
    if (state.terminated)
      reason = term.reason
        ? `Init:${String(term.reason)}`
        : term.signal
          ? `Init:Signal:${String(term.signal)}`
          : `Init:ExitCode:${String(term.exitCode)}`;
    else if (wait.reason && wait.reason !== "PodInitializing") reason = `Init:${String(wait.reason)}`;
    else reason = `Init:${i}/${arr(spec.initContainers).length}`;
  });
  if (!initializing) {
    restarts = 0;
    let hasRunning = false;
    const statuses = arr(status.containerStatuses);
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i]!;
      restarts += Number(c.restartCount ?? 0);
      const last = obj(obj(c.lastState).terminated);
      if (last.finishedAt) lastRestart = Math.max(lastRestart, Date.parse(String(last.finishedAt)));
      const state = obj(c.state);
      const wait = obj(state.waiting);
      const term = obj(state.terminated);
      if (wait.reason) reason = String(wait.reason);
      else if (state.terminated && term.reason) reason = String(term.reason);
      else if (state.terminated)
        reason = term.signal ? `Signal:${String(term.signal)}` : `ExitCode:${String(term.exitCode)}`;
      else if (c.ready && state.running) {
        hasRunning = true;
        readyContainers++;
      }
    }
    if (reason === "Completed" && hasRunning) {
      const readyCond = arr(status.conditions).find((c) => c.type === "Ready");
      reason = readyCond?.status === "True" ? "Running" : "NotReady";
    }
  }
  if (pod.metadata.deletionTimestamp) reason = status.reason === "NodeLost" ? "Unknown" : "Terminating";
  let restartText = String(restarts);
  if (lastRestart) restartText = `${restarts} (${humanDuration(Date.now() - lastRestart)} ago)`;
  return { ready: `${readyContainers}/${containers.length}`, reason, restarts: restartText };
}

export const podPrinter: Printer = {
  columns: [
    col("Name"),
    col("Ready"),
    col("Status"),
    col("Restarts", "string"),
    col("Age"),
    col("IP", "string", 1),
    col("Node", "string", 1),
    col("Nominated Node", "string", 1),
    col("Readiness Gates", "string", 1),
  ],
  row(pod) {
    const { ready, reason, restarts } = podStatusCells(pod);
    const status = obj(pod.status);
    const spec = obj(pod.spec);
    const gates = arr(spec.readinessGates);
    let gatesText = "<none>";
    if (gates.length) {
      const conds = arr(status.conditions);
      const ok = gates.filter((g) =>
        conds.some((c) => c.type === g.conditionType && c.status === "True"),
      ).length;
      gatesText = `${ok}/${gates.length}`;
    }
    return [
      pod.metadata.name ?? "",
      ready,
      reason,
      restarts,
      age(pod.metadata.creationTimestamp),
      String(status.podIP ?? "<none>"),
      String(spec.nodeName ?? "<none>"),
      String(status.nominatedNodeName ?? "<none>"),
      gatesText,
    ];
  },
};
