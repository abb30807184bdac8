import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { V1Container, V1Pod } from "@kubernetes/client-node";
import { CoalescingRunner } from "./coalescing-runner.js";
import { ContainerProbes } from "./container-probes.js";
import { startContainer } from "./container-starter.js";
import {
  listPodContainers,
  pruneContainers,
  removeContainer,
  stopContainer,
  type PodContainer,
} from "./docker-runtime.js";
import { deletePodObject, removePodContainers } from "./pod-teardown.js";
import type { KubeletContext } from "./kubelet-context.js";
import type { PodView } from "./pod-status.js";
import { buildPodView, exited, type Waiting } from "./pod-view.js";
import { TerminationLogTails } from "./container-logs.js";
import { RestartBackoff } from "./restart-backoff.js";
import { startSandbox } from "./sandbox.js";
import { PodStatusWriter } from "./pod-status-writer.js";
import { withServiceAccountVolume } from "./service-account-volume.js";
import type { PreparedVolume } from "./volume-manager.js";
import { MountError } from "./volume-payload.js";

/** Keeps one pod's Docker containers in line with its spec and reports its status (a kubelet pod worker). */
export class PodWorker {
  private podIP = "";
  private readonly runner = new CoalescingRunner(
    () => this.sync(),
    (e) => {
      const md = this.pod.metadata;
      this.ctx.log(`pod ${md?.namespace}/${md?.name}: ${(e as Error).stack ?? e}`);
      this.retryIn(1000);
    },
  );
  private readonly backoff = new RestartBackoff();
  private readonly probes = new Map<string, ContainerProbes>();
  private readonly logTails: TerminationLogTails;
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
    this.logTails = new TerminationLogTails(ctx.docker);
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
    this.runner.kick();
  }

  private retryIn(ms: number): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.kick(), ms);
  }

  private podFiles() {
    const dir = this.ctx.volumes.podDir(this.uid);
    return {
      hosts: join(dir, "etc-hosts"),
      resolvConf: join(dir, "resolv.conf"),
      portForward: join(dir, "pf"),
    };
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
      const fresh = await startSandbox(this.ctx, pod, files, (infra?.attempt ?? -1) + 1, (m) => this.mark(m));
      // A replaced sandbox: start over from a fresh list. A new pod goes on in this sync.
      if (infra) return this.kick();
      infra = fresh;
    }
    this.podIP = infra.info.NetworkSettings.Networks[this.ctx.network]?.IPAddress ?? "";
    if (!volumes) return this.report(all, mountError, false);

    const policy = pod.spec?.restartPolicy ?? "Always";
    const latest = (name: string, role: string) =>
      all.filter((c) => c.name === name && c.role === role).at(-1);
    const base = { pod, podIP: this.podIP, infraId: infra.id, volumes, extraMount, podFiles: files };
    const waiting: Waiting = new Map();
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
      else this.kick();
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
            this.kick();
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
    if (started) this.kick();
    const view = await this.view(now, waiting, initDone, failed);
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

  /** Whether a dead container may restart now; if not, it waits in CrashLoopBackOff. */
  private mayRestart(name: string, waiting: Waiting): boolean {
    const wait = this.backoff.next(name);
    if (!wait) return true;
    const md = this.pod.metadata;
    waiting.set(name, {
      reason: "CrashLoopBackOff",
      message: `back-off ${wait.delaySeconds}s restarting failed container=${name} pod=${md?.name}_${md?.namespace}(${md?.uid})`,
    });
    this.retryIn(wait.waitMs + 50);
    return false;
  }

  private ensureProbes(c: V1Container, cur: PodContainer): void {
    if (this.probes.has(cur.id)) return;
    const startedAt = Date.parse(cur.info.State.StartedAt) || Date.now();
    this.probes.set(
      cur.id,
      new ContainerProbes(this.ctx.docker, cur.id, c, this.podIP, startedAt, () => this.kick()),
    );
  }

  /** Drops old containers (see pruneContainers) and the probes of containers that stopped. */
  private async prune(all: PodContainer[]): Promise<void> {
    await pruneContainers(this.ctx.docker, all);
    const live = new Set(all.filter((c) => c.info.State.Running).map((c) => c.id));
    for (const [id, p] of this.probes) {
      if (live.has(id)) continue;
      p.stop();
      this.probes.delete(id);
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
    await this.status.write(await this.view(all, waiting, !this.pod.spec?.initContainers?.length, false));
  }

  private view(all: PodContainer[], waiting: Waiting, initDone: boolean, failed: boolean): Promise<PodView> {
    return buildPodView({
      pod: this.pod,
      all,
      waiting,
      probes: this.probes,
      initDone,
      failed,
      podIP: this.podIP,
      hostIP: this.ctx.hostIP,
      podDir: this.podDir,
      logTail: (c) => this.logTails.of(c),
    });
  }

  /** Graceful deletion: stop the containers within the grace period, remove everything, delete the pod. */
  private async terminate(): Promise<void> {
    const pod = this.pod;
    this.stopProbes();
    await removePodContainers(
      this.ctx,
      this.uid,
      pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30,
    );
    await deletePodObject(this.ctx, pod);
    this.runner.stop();
  }

  private stopProbes(): void {
    for (const p of this.probes.values()) p.stop();
    this.probes.clear();
  }

  /** Stops and removes every container of the pod and its volumes (the pod is gone from the API). */
  async kill(graceSeconds = 0): Promise<void> {
    this.runner.stop();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.stopProbes();
    await removePodContainers(this.ctx, this.uid, graceSeconds);
  }
}
