import type { V1Pod } from "@kubernetes/client-node";
import type { KubeletContext } from "./kubelet-context.js";
import { containerStatus, podConditions, podPhase, qosClass, type PodView } from "./pod-status.js";

function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Turns a pod view into `status` and writes it to the API server when it changed (the status manager). */
export class PodStatusWriter {
  private readonly transitions = new Map<string, { status: string; time: string }>();
  private last = "";
  private startTime: string | undefined;

  constructor(
    private readonly ctx: KubeletContext,
    private pod: V1Pod,
  ) {
    const st = pod.status?.startTime as unknown as string | undefined;
    this.startTime = st ? String(st) : undefined;
  }

  build(pod: V1Pod, view: PodView): Record<string, unknown> {
    this.pod = pod;
    this.startTime ??= now();
    const phase = podPhase(pod, view);
    const conditions = podConditions(pod, view, phase).map((c) => {
      const prev = this.transitions.get(c.type);
      const time = prev && prev.status === c.status ? prev.time : now();
      this.transitions.set(c.type, { status: c.status, time });
      const notReady = [...view.containers].filter((x) => !x.ready).map((x) => x.name);
      const notInit = view.initContainers.filter((x) => !x.ready).map((x) => x.name);
      let message: string | undefined;
      if (c.status === "False" && (c.type === "Ready" || c.type === "ContainersReady") && notReady.length)
        message = `containers with unready status: [${notReady.join(" ")}]`;
      if (c.status === "False" && c.type === "Initialized" && notInit.length)
        message = `containers with incomplete status: [${notInit.join(" ")}]`;
      return {
        type: c.type,
        status: c.status,
        lastProbeTime: null,
        lastTransitionTime: time,
        ...(c.reason ? { reason: c.reason } : {}),
        ...(message ? { message } : {}),
      };
    });
    const status: Record<string, unknown> = {
      phase,
      conditions,
      hostIP: view.hostIP,
      hostIPs: [{ ip: view.hostIP }],
      podIP: view.podIP || null,
      podIPs: view.podIP ? [{ ip: view.podIP }] : null,
      startTime: this.startTime,
      containerStatuses: view.containers.map(containerStatus),
      qosClass: qosClass(pod),
    };
    if (view.initContainers.length) status.initContainerStatuses = view.initContainers.map(containerStatus);
    return status;
  }

  async write(view: PodView): Promise<void> {
    const pod = this.pod;
    const status = this.build(pod, view);
    const json = JSON.stringify(status);
    if (json === this.last) return;
    const md = pod.metadata;
    await this.ctx.api.request(
      "PATCH",
      `/api/v1/namespaces/${md?.namespace}/pods/${md?.name}/status`,
      { status },
      "application/merge-patch+json",
    );
    this.last = json;
  }

  setPod(pod: V1Pod): void {
    this.pod = pod;
  }
}
