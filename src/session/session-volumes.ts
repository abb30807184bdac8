import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { TpError } from "../errors.js";
import { tarName } from "../contract/volume-protocol.js";
import type Dockerode from "dockerode";
import type { AgentSession } from "../kube/agent-session.js";
import type { Kube } from "../kube/kube.js";
import { kubeCall } from "../kube/kube-call.js";
import type { RemoteEnd } from "../kube/remote-end.js";
import type { StartedSidecar } from "../docker/sidecar.js";
import { proxyGone, proxyGoneError } from "../cluster/proxy-gone.js";
import { systemClock } from "../clock.js";
import { reachStage, Stages } from "../stages.js";
import { copyOnHost, writeHostCopyMarker } from "../volumes/host-copy.js";
import { volumeSpecsOf, writesOutlivePod } from "../volumes/pod-volumes.js";
import { rootRemover } from "../docker/root-remover.js";
import { volumesFolderLabel } from "../contract/docker-labels.js";
import { createSessionFolder, removeSessionFolder } from "../volumes/session-folder.js";
import { userMounts, volumeEnv } from "../volumes/user-mounts.js";
import { sidecarVolumesRoot, volumesConfigToEnv, type VolumeSpec } from "../contract/volume-config.js";

/** What the user asked of volumes (`--mount`, `--mount-limit`, `--no-original-mounts`). */
export interface VolumeRequest {
  /** The host folder; default: a new one under the temporary directory. */
  folder?: string;
  limitBytes: number;
  originalMounts: boolean;
  /** The owner of the copy of the volumes, where not tp's user (see VolumesConfig). */
  containerUid?: number;
}

/** Where progress and warnings go (the CLI's Progress fits). */
export interface VolumeReporter {
  step(text: string): (done?: string) => void;
  info(text: string): void;
  warn(text: string): void;
}

function copyFailed(message: string): TpError {
  return new TpError("tunnel", `copying the pod's volumes failed: ${message}`, {
    hint: "--mount false starts without them",
  });
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** The pod's volumes for one session: the session folder, the sidecar's part, the user's mounts. */
export class SessionVolumes {
  /** The volumes that were copied (known once ready). */
  private copied: VolumeSpec[] = [];

  private constructor(
    readonly folder: string,
    readonly specs: VolumeSpec[],
    private readonly request: VolumeRequest,
    private readonly kube: Kube,
    private readonly remote: RemoteEnd,
    /** Mount paths of the pod that may be files (subPath mounts): known only once copied. */
    private readonly maybeFiles: Set<string> = new Set(),
    /** Local writes go to storage that outlives the proxy pod (see writesOutlivePod). */
    readonly outlivePod = false,
  ) {}

  /** Read the proxy pod's volumes (as admitted: it need not run yet) and create the session folder. */
  static async prepare(
    kube: Kube,
    remote: RemoteEnd,
    request: VolumeRequest,
    sessionId: string,
  ): Promise<SessionVolumes> {
    const pod =
      remote.admitted ??
      (await kubeCall(`read pod ${remote.namespace}/${remote.pod}`, () =>
        kube.core.readNamespacedPod({ name: remote.pod, namespace: remote.namespace }),
      ));
    const specs = volumeSpecsOf(pod, remote.container);
    const mounts = pod.spec?.containers.find((c) => c.name === remote.container)?.volumeMounts ?? [];
    const maybeFiles = new Set(
      mounts.filter((m) => m.subPath || m.subPathExpr).map((m) => m.mountPath.replace(/\/+$/, "")),
    );
    const folder = await createSessionFolder(sessionId, request.folder);
    return new SessionVolumes(
      folder,
      specs,
      request,
      kube,
      remote,
      maybeFiles,
      writesOutlivePod(pod, remote.container),
    );
  }

  /**
   * Make the folders the planned mounts of the user container come from (owner-only, as the first
   * copy makes them), so that a container started before the copy mounts them and sees it arrive
   * (Docker would make missing ones, as root). False when a mount may be a file: not before the copy.
   */
  async makeMountSources(): Promise<boolean> {
    if (this.specs.some((s) => this.maybeFiles.has(s.path))) return false;
    for (const spec of this.specs) {
      let at = this.folder;
      for (const part of tarName(spec.path).split("/").filter(Boolean)) {
        at = join(at, part);
        await mkdir(at, { mode: 0o700 }).catch((err: NodeJS.ErrnoException) => {
          if (err.code !== "EEXIST") throw err;
        });
      }
    }
    return true;
  }

  /** Options for startSidecar: the folder bind-mounted, the sync configuration, the cleanup label. */
  sidecarOptions(): { binds: string[]; env: Record<string, string>; labels: Record<string, string> } {
    return {
      binds: [`${this.folder}:${sidecarVolumesRoot}`],
      env: volumesConfigToEnv({
        root: sidecarVolumesRoot,
        volumes: this.specs,
        uid: process.getuid?.() ?? 0,
        gid: process.getgid?.() ?? 0,
        ...(this.request.containerUid !== undefined ? { containerUid: this.request.containerUid } : {}),
        limitBytes: this.request.limitBytes,
        rescanMs: 2_000,
        hostCopy: true,
      }),
      labels: { [volumesFolderLabel]: this.folder },
    };
  }

  /** Bytes of the first copy: its total once known, and what has arrived. */
  private readonly copy = { total: undefined as number | undefined, bytes: 0 };

  /**
   * Make the first copy (see host-copy.ts) once the agent answers (over `agent` when given), and
   * hand it to the sidecar.
   * A failure is handed over too (the sidecar reports it) and thrown.
   */
  async copyFirst(agent?: AgentSession): Promise<void> {
    const copying = this.copyOnce(agent);
    this.copying = copying.catch(() => undefined);
    return copying;
  }

  /** The first copy while it runs; remove() stops it and waits for it before removing the folder. */
  private copying: Promise<void> = Promise.resolve();
  private readonly stopCopy = new AbortController();

  private async copyOnce(agent?: AgentSession): Promise<void> {
    const started = Date.now();
    this.stopCopy.signal.throwIfAborted();
    try {
      const listings = await copyOnHost(this.kube, this.remote, {
        folder: this.folder,
        specs: this.specs,
        limitBytes: this.request.limitBytes,
        onTotal: (n) => (this.copy.total = n),
        onBytes: (n) => (this.copy.bytes += n),
        agent,
        signal: this.stopCopy.signal,
      });
      await reachStage(Stages.volumesCopied, this.stopCopy.signal);
      await writeHostCopyMarker(this.folder, { ok: true, listings, started });
    } catch (err) {
      // A copy cut short by the proxy pod's deletion is reported as that deletion.
      // (Asked for 2 s at most: a cluster that does not answer is no reason.)
      const gone = this.stopCopy.signal.aborted
        ? undefined
        : await Promise.race([
            proxyGone(this.kube, this.remote),
            systemClock.sleep(2_000, { signal: this.stopCopy.signal, unref: true }).then(() => undefined),
          ]);
      const message = gone ?? (err as Error).message;
      await writeHostCopyMarker(this.folder, { ok: false, message }).catch(() => undefined);
      throw gone ? proxyGoneError(gone) : copyFailed(message);
    }
  }

  /** Wait for the first copy, showing progress after a second; warn about skipped volumes. */
  async waitReady(sidecar: StartedSidecar, reporter: VolumeReporter): Promise<void> {
    // A pod without volumes (no service-account token either): the sidecar keeps none in step and
    // says nothing to wait for.
    if (this.specs.length === 0) return;
    let end: ((done?: string) => void) | undefined;
    let lastInfo = Date.now();
    const started = Date.now();
    const progress = setInterval(() => {
      const { total, bytes } = this.copy;
      if (total === undefined || Date.now() - started < 1_000) return;
      end ??= reporter.step(`copying the pod's volumes (${mb(total)})`);
      if (Date.now() - lastInfo >= 2_000) {
        lastInfo = Date.now();
        reporter.info(`copied ${mb(bytes)} of ${mb(total)}`);
      }
    }, 250);
    let ready = false;
    sidecar.onEvent((s) => {
      if (s.event === "volume-conflict") {
        reporter.warn(
          `${s.path} changed both locally and in the pod: kept the ${s.kept === "local" ? "local" : "pod's"} version (the newer write)`,
        );
      } else if (s.event === "volume-error" && ready) {
        reporter.warn(`volume ${s.path} is not in step: ${s.message}`);
      }
    }, true);
    const failed = sidecar.waitFor("volumes-failed", 30 * 60_000).then((s) => {
      throw copyFailed(s.event === "volumes-failed" ? s.message : "");
    });
    failed.catch(() => undefined);
    const status = await Promise.race([sidecar.waitFor("volumes-ready", 30 * 60_000), failed]).finally(() =>
      clearInterval(progress),
    );
    ready = true;
    if (status.event !== "volumes-ready") return;
    const byPath = new Map(this.specs.map((s) => [s.path, s]));
    for (const s of status.skipped) {
      const spec = byPath.get(s.path);
      if (s.reason === "too-large")
        reporter.warn(
          `volume ${spec?.name ?? "?"} at ${s.path} holds ${mb(s.bytes)}, over the limit of ${mb(this.request.limitBytes)} (--mount-limit): not copied`,
        );
      else if (spec && spec.name !== "service-account-token")
        reporter.warn(`volume ${spec.name} at ${s.path} is not in the pod: not copied`);
    }
    for (const u of status.unreadable)
      reporter.warn(`${u.count} file(s) under ${u.path} cannot be read by the agent in the pod: not copied`);
    const copied = new Set(status.volumes.map((v) => v.path));
    this.copied = this.specs.filter((s) => copied.has(s.path));
    const bytes = status.volumes.reduce((n, v) => n + v.bytes, 0);
    const files = status.volumes.reduce((n, v) => n + v.files, 0);
    const text = `${this.copied.length} volume(s) copied to ${this.folder}: ${files} files, ${mb(bytes)} in ${(status.ms / 1000).toFixed(2)} s`;
    if (end) end(text);
    else reporter.info(text);
  }

  /** TELEPRESENCE_ROOT and TELEPRESENCE_MOUNTS for the user container. */
  env(planned = false): Record<string, string> {
    return volumeEnv(planned ? this.specs : this.copied);
  }

  /**
   * The user container's -v values (its own -v values win for the same destination): of the
   * volumes copied, or (`planned`, before the first copy) of all the pod's volumes.
   */
  mounts(userVolumes: string[], planned = false): string[] {
    return userMounts(this.folder, planned ? this.specs : this.copied, {
      originalMounts: this.request.originalMounts,
      userVolumes,
    });
  }

  /** Remove the session folder (after the sidecar is gone). */
  async remove(docker: Dockerode, agentImage: string): Promise<string[]> {
    // A copy still running would write into the folder (or make it again) after its removal.
    this.stopCopy.abort();
    await this.copying;
    const removed = await removeSessionFolder(this.folder, rootRemover(docker, agentImage));
    return removed ? [`session folder ${this.folder} removed`] : [];
  }
}
