import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { V1Container, V1Pod } from "@kubernetes/client-node";
import { ContainerProbes } from "./container-probes.js";
import { startContainer, terminationLogPath } from "./container-starter.js";
import { listPodContainers, removeContainer, stopContainer, type PodContainer } from "./docker-runtime.js";
import { infraConfig } from "./infra-config.js";
import type { KubeletContext } from "./kubelet-context.js";
import { infraName } from "./labels.js";
import { hostsFile, resolvConf } from "./pod-files.js";
import type { ContainerView, PodView } from "./pod-status.js";
import { PodStatusWriter } from "./pod-status-writer.js";
import { withServiceAccountVolume } from "./service-account-volume.js";
import type { PreparedVolume } from "./volume-manager.js";
import { MountError } from "./volume-payload.js";

const maxBackoffSeconds = 300;

function exited(c: PodContainer | undefined): boolean {
  return !!c && !c.info.State.Running && (c.info.State.Status !== "created" || !!c.info.State.Error);
}

/** Keeps one pod's Docker containers in line with its spec and reports its status (a kubelet pod worker). */
export class PodWorker {
  private podIP = "";
  private running = false;
  private again = false;
  private done = false;
  private readonly backoff = new Map<string, { until: number; delay: number }>();
  private readonly probes = new Map<string, ContainerProbes>();
  private readonly status: PodStatusWriter;
  private retryTimer: NodeJS.Timeout | undefined;
  /** Milestones of the pod's start (ms since the worker saw it), logged once when it is Ready. */
  private readonly trace: [string, number][] = [];
  private readonly seenAt = Date.now();

  constructor(
    private readonly ctx: KubeletContext,
    public pod: V1Pod,
  ) {
    this.status = new PodStatusWriter(ctx, pod);
  }

  get uid(): string {
    return this.pod.metadata?.uid ?? "";
  }

  get podDir(): string {
    return this.ctx.volumes.podDir(this.uid);
  }

  get ip(): string {
    return this.podIP;
  }

  update(pod: V1Pod): void {
    this.pod = pod;
    this.status.setPod(pod);
    this.kick();
  }

  /** Runs a sync now, or right after the one in progress. */
  kick(): void {
    if (this.done) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void (async () => {
      try {
        do {
          this.again = false;
          try {
            await this.sync();
          } catch (e) {
            this.ctx.log(
              `pod ${this.pod.metadata?.namespace}/${this.pod.metadata?.name}: ${(e as Error).stack ?? e}`,
            );
            this.retryIn(1000);
          }
        } while (this.again && !this.done);
      } finally {
        this.running = false;
      }
    })();
  }

  private retryIn(ms: number): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.kick(), ms);
  }

  private podFiles() {
    const dir = this.ctx.volumes.podDir(this.uid);
    return { hosts: join(dir, "etc-hosts"), resolvConf: join(dir, "resolv.conf") };
  }

  private async sync(): Promise<void> {
    const pod = this.pod;
    if (pod.metadata?.deletionTimestamp) return this.terminate();
    const all = await listPodContainers(this.ctx.docker, this.uid);
    const files = this.podFiles();
    await mkdir(this.ctx.volumes.podDir(this.uid), { recursive: true });
    const { volumes: volSpecs, extraMount } = withServiceAccountVolume(pod);
    let volumes: Map<string, PreparedVolume> | undefined;
    let mountError: string | undefined;
    try {
      volumes = await this.ctx.volumes.setUp(pod, volSpecs, { podIP: this.podIP, hostIP: this.ctx.hostIP });
    } catch (e) {
      mountError = e instanceof MountError ? e.message : String((e as Error).message ?? e);
    }

    const infras = all.filter((c) => c.role === "infra");
    let infra = infras.at(-1);
    if (!infra?.info.State.Running) {
      if (!volumes) return this.report(all, mountError, true);
      if (infra) {
        // The sandbox died: like a kubelet, kill what ran in it and make a new one.
        for (const c of all.filter((c) => c.role === "app" || c.role === "init"))
          await stopContainer(this.ctx.docker, c.id, 0);
      }
      for (const c of infras) await removeContainer(this.ctx.docker, c.id);
      await writeFile(files.resolvConf, resolvConf(pod, this.ctx.dnsIP));
      await writeFile(files.hosts, hostsFile(pod, ""));
      this.mark("volumes ready");
      const created = await this.ctx.docker.createContainer(
        infraConfig(pod, this.ctx.network, files, (infra?.attempt ?? -1) + 1),
      );
      this.mark("infra created");
      await created.start();
      this.mark("infra started");
      const info = await created.inspect();
      this.podIP = info.NetworkSettings.Networks[this.ctx.network]?.IPAddress ?? "";
      await writeFile(files.hosts, hostsFile(pod, this.podIP));
      // A replaced sandbox: start over from a fresh list. A new pod goes on in this sync.
      if (infra) return this.kickNow();
      infra = { id: created.id, name: infraName, role: "infra", attempt: 0, info };
    }
    this.podIP = infra.info.NetworkSettings.Networks[this.ctx.network]?.IPAddress ?? "";
    if (!volumes) return this.report(all, mountError, false);

    const policy = pod.spec?.restartPolicy ?? "Always";
    const latest = (name: string, role: string) =>
      all.filter((c) => c.name === name && c.role === role).at(-1);
    const base = { pod, podIP: this.podIP, infraId: infra.id, volumes, extraMount, podFiles: files };
    const waiting = new Map<string, { reason: string; message?: string }>();
    let initDone = true;
    let failed = false;
    let started = false;

    for (const c of pod.spec?.initContainers ?? []) {
      const cur = latest(c.name, "init");
      if (exited(cur) && cur?.info.State.ExitCode === 0) continue;
      initDone = false;
      if (cur?.info.State.Running) break;
      if (exited(cur) && cur) {
        if (policy === "Never") {
          failed = true;
          break;
        }
        if (!this.mayRestart(c.name, waiting)) break;
      }
      const fail = await startContainer(this.ctx, {
        ...base,
        container: c,
        role: "init",
        attempt: cur ? cur.attempt + 1 : 0,
      });
      if (fail) waiting.set(c.name, fail);
      else this.again = true;
      break;
    }

    if (initDone) {
      for (const c of pod.spec?.containers ?? []) {
        const cur = latest(c.name, "app");
        if (cur?.info.State.Running) {
          this.ensureProbes(c, cur);
          if (this.probes.get(cur.id)?.failed) {
            this.probes.get(cur.id)?.stop();
            this.probes.delete(cur.id);
            await stopContainer(this.ctx.docker, cur.id, pod.spec?.terminationGracePeriodSeconds ?? 30);
            this.again = true;
          }
          continue;
        }
        if (exited(cur) && cur) {
          const code = cur.info.State.ExitCode;
          if (policy === "Never" || (policy === "OnFailure" && code === 0)) continue;
          if (!this.mayRestart(c.name, waiting)) continue;
        }
        this.mark(`start ${c.name}`);
        const fail = await startContainer(this.ctx, {
          ...base,
          container: c,
          role: "app",
          attempt: cur ? cur.attempt + 1 : 0,
        });
        if (fail) {
          waiting.set(c.name, fail);
          this.retryIn(2000);
        } else started = true;
      }
    }
    await this.prune(all);
    // Report containers started in this round at once (not one sync later): Ready sooner.
    const now = started ? await listPodContainers(this.ctx.docker, this.uid) : all;
    if (started) this.again = true;
    const view = this.view(now, waiting, initDone, failed);
    await this.status.write(view);
    if (this.trace.length && view.containers.every((c) => c.ready)) {
      this.mark("Ready written");
      const md = this.pod.metadata;
      this.ctx.log(
        `pod ${md?.namespace}/${md?.name} Ready: ${this.trace.map(([m, t]) => `${m} +${t}ms`).join(", ")}`,
      );
      this.trace.length = 0;
    }
  }

  private mark(what: string): void {
    this.trace.push([what, Date.now() - this.seenAt]);
  }

  private kickNow(): void {
    this.again = true;
  }

  /** Restart back-off like the kubelet's: the first restart at once, then 10 s doubling up to 5 min. */
  private mayRestart(name: string, waiting: Map<string, { reason: string; message?: string }>): boolean {
    const b = this.backoff.get(name);
    const now = Date.now();
    if (b && now < b.until) {
      const md = this.pod.metadata;
      waiting.set(name, {
        reason: "CrashLoopBackOff",
        message: `back-off ${b.delay}s restarting failed container=${name} pod=${md?.name}_${md?.namespace}(${md?.uid})`,
      });
      this.retryIn(b.until - now + 50);
      return false;
    }
    const delay = b ? Math.min(b.delay * 2, maxBackoffSeconds) : 10;
    this.backoff.set(name, { delay, until: now + delay * 1000 });
    return true;
  }

  private ensureProbes(c: V1Container, cur: PodContainer): void {
    if (this.probes.has(cur.id)) return;
    const startedAt = Date.parse(cur.info.State.StartedAt) || Date.now();
    this.probes.set(
      cur.id,
      new ContainerProbes(this.ctx.docker, cur.id, c, this.podIP, startedAt, () => this.kick()),
    );
  }

  /** Keeps the current and the previous container of each name (for `logs --previous`); removes older ones. */
  private async prune(all: PodContainer[]): Promise<void> {
    const byName = new Map<string, PodContainer[]>();
    for (const c of all.filter((c) => c.role === "app" || c.role === "init")) {
      const key = `${c.role}/${c.name}`;
      byName.set(key, [...(byName.get(key) ?? []), c]);
    }
    for (const list of byName.values()) {
      for (const old of list.slice(0, -2)) await removeContainer(this.ctx.docker, old.id);
    }
    const live = new Set(all.filter((c) => c.info.State.Running).map((c) => c.id));
    for (const [id, p] of this.probes) {
      if (!live.has(id)) {
        p.stop();
        this.probes.delete(id);
      }
    }
  }

  private async report(
    all: PodContainer[],
    mountError: string | undefined,
    creating: boolean,
  ): Promise<void> {
    if (mountError)
      this.ctx.log(
        `pod ${this.pod.metadata?.namespace}/${this.pod.metadata?.name}: MountVolume: ${mountError}`,
      );
    this.retryIn(1000);
    const waiting = new Map<string, { reason: string }>();
    for (const c of [...(this.pod.spec?.initContainers ?? []), ...(this.pod.spec?.containers ?? [])]) {
      if (creating || !all.some((x) => x.name === c.name))
        waiting.set(c.name, { reason: "ContainerCreating" });
    }
    await this.status.write(this.view(all, waiting, !this.pod.spec?.initContainers?.length, false));
  }

  private view(
    all: PodContainer[],
    waiting: Map<string, { reason: string; message?: string }>,
    initDone: boolean,
    failed: boolean,
  ): PodView {
    const one = (c: V1Container, role: "init" | "app"): ContainerView => {
      const mine = all.filter((x) => x.name === c.name && x.role === role);
      const current = mine.at(-1);
      const previous = mine.length > 1 ? mine.at(-2) : undefined;
      const probes = current ? this.probes.get(current.id) : undefined;
      const running = !!current?.info.State.Running && !waiting.has(c.name);
      return {
        name: c.name,
        image: c.image ?? "",
        current,
        previous,
        waiting: waiting.get(c.name),
        ready:
          role === "init"
            ? exited(current) && current?.info.State.ExitCode === 0
            : running && (probes?.ready ?? true),
        started: running && (probes?.started ?? true),
      };
    };
    return {
      podIP: this.podIP,
      hostIP: this.ctx.hostIP,
      initContainers: (this.pod.spec?.initContainers ?? []).map((c) => one(c, "init")),
      containers: (this.pod.spec?.containers ?? []).map((c) => one(c, "app")),
      initDone,
      failed,
    };
  }

  /** Graceful deletion: stop the containers within the grace period, remove everything, delete the pod. */
  private async terminate(): Promise<void> {
    const pod = this.pod;
    const grace = pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
    await this.kill(grace);
    try {
      await this.ctx.api.request(
        "DELETE",
        `/api/v1/namespaces/${pod.metadata?.namespace}/pods/${pod.metadata?.name}`,
        { kind: "DeleteOptions", apiVersion: "v1", gracePeriodSeconds: 0, preconditions: { uid: this.uid } },
      );
    } catch (e) {
      const status = (e as { status?: number }).status;
      if (status !== 404 && status !== 409) throw e;
    }
  }

  /** Stops and removes every container of the pod and its volumes (the pod is gone from the API). */
  async kill(graceSeconds = 0): Promise<void> {
    this.done = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    for (const p of this.probes.values()) p.stop();
    this.probes.clear();
    const all = await listPodContainers(this.ctx.docker, this.uid);
    await Promise.all(
      all
        .filter((c) => c.role === "app" || c.role === "init")
        .map((c) => stopContainer(this.ctx.docker, c.id, graceSeconds)),
    );
    await Promise.all(all.map((c) => removeContainer(this.ctx.docker, c.id)));
    this.ctx.tokens.forget(this.uid);
    await this.ctx.volumes.tearDown(this.uid);
  }

  /** The message a container left in its termination log, for its terminated state. */
  async terminationMessage(name: string, attempt: number): Promise<string | undefined> {
    try {
      const text = await readFile(
        terminationLogPath(this.ctx.volumes.podDir(this.uid), name, attempt),
        "utf8",
      );
      return text || undefined;
    } catch {
      return undefined;
    }
  }
}
