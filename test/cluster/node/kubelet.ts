import { readdir } from "node:fs/promises";
import type { V1Pod } from "@kubernetes/client-node";
import { listPodContainers, removeContainer } from "./docker-runtime.js";
import type { Informer } from "./informer.js";
import type { KubeletContext } from "./kubelet-context.js";
import { labels } from "./labels.js";
import { PodWorker } from "./pod-worker.js";

/**
 * The kubelet: runs a worker per pod bound to this node (the API server's scheduler binds them), wakes it
 * on pod, Docker and timer events, and on start adopts or removes what a previous run left.
 */
export class Kubelet {
  readonly workers = new Map<string, PodWorker>();
  private timer: NodeJS.Timeout | undefined;
  private readonly abort = new AbortController();

  constructor(
    private readonly ctx: KubeletContext,
    private readonly pods: Informer<V1Pod>,
  ) {}

  async start(): Promise<void> {
    this.pods.on((type, pod) => this.onPod(type, pod));
    await this.pods.synced;
    await this.reconcile();
    for (const pod of this.pods.list()) this.onPod("ADDED", pod);
    this.timer = setInterval(() => this.kickAll(), 2000);
    void this.watchDocker();
  }

  /** Wakes every pod worker (volumes re-read their ConfigMaps and Secrets). */
  kickAll(): void {
    for (const w of this.workers.values()) w.kick();
  }

  /** The worker of a pod by namespace and name. */
  worker(namespace: string, name: string): PodWorker | undefined {
    for (const w of this.workers.values()) {
      if (w.pod.metadata?.namespace === namespace && w.pod.metadata?.name === name) return w;
    }
    return undefined;
  }

  private onPod(type: string, pod: V1Pod): void {
    const uid = pod.metadata?.uid ?? "";
    if (type === "DELETED") {
      const w = this.workers.get(uid);
      this.workers.delete(uid);
      if (w) void w.kill().catch((e) => this.ctx.log(`kill ${uid}: ${e}`));
      return;
    }
    const nodeName = pod.spec?.nodeName;
    // Unbound: the API server's scheduler binds it (or leaves it Pending, as for a taken host port).
    if (!nodeName) return;
    if (nodeName !== this.ctx.nodeName) return;
    const w = this.workers.get(uid);
    if (w) w.update(pod);
    else {
      const nw = new PodWorker(this.ctx, pod);
      this.workers.set(uid, nw);
      nw.kick();
    }
  }

  /** Containers and volume folders of pods that no longer exist are removed; the others are adopted. */
  private async reconcile(): Promise<void> {
    const known = new Set(this.pods.list().map((p) => p.metadata?.uid ?? ""));
    for (const c of await listPodContainers(this.ctx.docker)) {
      const uid = c.info.Config.Labels?.[labels.podUid] ?? "";
      if (!known.has(uid)) await removeContainer(this.ctx.docker, c.id);
    }
    try {
      for (const uid of await readdir(this.ctx.volumes.root)) {
        if (!known.has(uid)) await this.ctx.volumes.tearDown(uid);
      }
    } catch {
      // no pods folder yet
    }
  }

  private async watchDocker(): Promise<void> {
    while (!this.abort.signal.aborted) {
      try {
        const stream = await this.ctx.docker.getEvents({
          filters: JSON.stringify({
            type: ["container"],
            label: [`${labels.cluster}=1`],
            event: ["die", "start", "oom"],
          }),
        });
        this.abort.signal.addEventListener(
          "abort",
          () => (stream as unknown as { destroy(): void }).destroy(),
          {
            once: true,
          },
        );
        let buf = "";
        for await (const chunk of stream) {
          buf += String(chunk);
          let i: number;
          while ((i = buf.indexOf("\n")) >= 0) {
            const line = buf.slice(0, i);
            buf = buf.slice(i + 1);
            if (!line.trim()) continue;
            const ev = JSON.parse(line) as { Actor?: { Attributes?: Record<string, string> } };
            const uid = ev.Actor?.Attributes?.[labels.podUid];
            if (uid) this.workers.get(uid)?.kick();
          }
        }
      } catch (e) {
        if (!this.abort.signal.aborted) this.ctx.log(`docker events: ${e}`);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  stop(): void {
    this.abort.abort();
    if (this.timer) clearInterval(this.timer);
  }
}
