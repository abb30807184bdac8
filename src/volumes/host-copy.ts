import { mkdir, rename, writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import type { ClientHttp2Session } from "node:http2";
import { dirname, join, relative, sep } from "node:path";
import { reachStage, Stages } from "../stages.js";
import type { Kube } from "../kube/kube.js";
import { withAgentSession, type AgentSession } from "../kube/agent-session.js";
import { execStream } from "../kube/pod-exec.js";
import type { RemoteEnd } from "../kube/remote-end.js";
import { rootOf, shareOut, smallCopyBytes } from "../sync/first-copy.js";
import { extractWithTar, systemTar } from "../sync/system-tar.js";
import { hostHeaderMap } from "../sync/local-volume-io.js";
import { extractTar } from "../sync/tar-io.js";
import { VolumeClient } from "../sync/volume-client.js";
import { nestedPaths, type VolumeSpec } from "../contract/volume-config.js";
import { joinPath, tarName, type Listing } from "../contract/volume-protocol.js";
import { hostCopyMarker, type HostCopyMarker } from "../contract/volume-status.js";

export interface HostCopyRequest {
  folder: string;
  specs: VolumeSpec[];
  limitBytes: number;
  /** Called with the tar bytes to come once the pod's listing is known, then with each chunk. */
  onTotal?: (bytes: number) => void;
  onBytes?: (bytes: number) => void;
  /** An open session with the agent to use (else one of its own). */
  agent?: AgentSession;
  /** Aborted when the session is undone: the copy stops, writing nothing more. */
  signal?: AbortSignal;
}

/**
 * The first copy of the pod's volumes, made by the CLI into the session folder as soon as the
 * agent answers (the tunnel and the sidecar need not be up): one port-forward of its own to the
 * agent, a listing of every volume (the plan, and what the sidecar's sync starts from), then the
 * files as tar streams. A few files come in one stream unpacked in process; more are shared out
 * by size in one stream per core, extracted side by side, since creating thousands of files is
 * the slow part. Returns the listings; the sidecar then puts owners and modes right.
 */
export async function copyOnHost(
  kube: Kube,
  remote: RemoteEnd,
  request: HostCopyRequest,
): Promise<Listing[]> {
  const { folder, specs, signal } = request;
  signal?.throwIfAborted();
  // Folders under the session folder, owner-only; the session folder itself must still exist (a
  // copy never makes it again once it was removed).
  const folderOf = async (path: string) => {
    signal?.throwIfAborted();
    const rel = relative(folder, path);
    let at = folder;
    for (const part of rel ? rel.split(sep) : []) {
      at = join(at, part);
      await mkdir(at, { mode: 0o700 }).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== "EEXIST") throw err;
      });
    }
  };
  return withAgentSession(
    kube,
    remote,
    async (_client, session) => {
      // Stopping: the streams end and whatever extracts them fails, writing nothing more.
      const stop = () => session.destroy();
      signal?.addEventListener("abort", stop);
      try {
        return await copyWith(session);
      } finally {
        signal?.removeEventListener("abort", stop);
      }
    },
    request.agent,
  );

  async function copyWith(session: ClientHttp2Session): Promise<Listing[]> {
    const volumes = new VolumeClient(session);
    const plan = {
      volumes: specs.map((v) => ({ path: v.path, exclude: nestedPaths(v, specs) })),
      limitBytes: request.limitBytes,
    };
    if (specs.every((v) => v.bounded)) {
      // API objects only (the service account token, ConfigMaps, Secrets): small, so the
      // listing and the files come in one answer.
      for (const v of specs) await folderOf(dirname(join(folder, tarName(v.path))));
      await reachStage(Stages.volumeCopy, signal);
      signal?.throwIfAborted();
      const { listings, tar } = await volumes.copy(plan);
      tar.on("data", (c: Buffer) => request.onBytes?.(c.length));
      await extractTar(folder, tar, {
        chown: false,
        map: hostHeaderMap(specs),
        ownerOnly: specs.every((v) => v.ownerOnly),
      });
      return listings;
    }
    const { listings } = await volumes.list(plan);
    const byPath = new Map(listings.map((l) => [l.path, l]));
    const copied = specs.filter((v) => byPath.has(v.path) && !byPath.get(v.path)?.skipped);
    const skip = new Set<string>();
    let total = 0;
    for (const v of copied) {
      const listing = byPath.get(v.path) as Listing;
      total += tarSize(listing);
      for (const rel of listing.unreadable) skip.add(joinPath(v.path, rel));
      for (const rel of nestedPaths(v, specs)) skip.add(joinPath(v.path, rel));
      // Each volume's own folder first: streams side by side would race to create it.
      const local = join(folder, tarName(v.path));
      await folderOf(rootOf(byPath, v)?.[0] === "dir" ? local : dirname(local));
    }
    request.onTotal?.(total);
    if (!copied.length) return listings;
    await reachStage(Stages.volumeCopy, signal);
    signal?.throwIfAborted();
    const tar = total <= smallCopyBytes ? undefined : systemTar();
    const ways = tar ? Math.max(1, Math.min(4, availableParallelism())) : 1;
    // Secrets (small: API objects) come in a stream of their own, written owner-only from the
    // start in process; the system's tar would write them with the pod's modes.
    const privately = tar ? copied.filter((v) => v.ownerOnly) : [];
    const shares = shareOut(
      copied.filter((v) => !privately.includes(v)).map((spec) => ({ spec })),
      byPath,
      skip,
      ways,
    );
    const viaAgent = async (paths: string[], secrets = false) => {
      const inProcess = !tar || secrets;
      const stream = await volumes.snapshot({ paths, skip: [...skip], inProcess });
      stream.on("data", (c: Buffer) => request.onBytes?.(c.length));
      if (!inProcess) await extractWithTar(tar, folder, stream);
      else await extractTar(folder, stream, { chown: false, map: hostHeaderMap(specs), ownerOnly: secrets });
    };
    // Large copies without paths to leave out: `tar -c` in the pod by exec, as `kubectl exec`
    // would (busybox tar has no exclude list). Its bytes pass fewer processes than the agent's
    // port-forward; where exec is refused (RBAC), the agent sends the share instead.
    const viaExec = async (tarPath: string, paths: string[]) => {
      const names = paths.map(tarName);
      const exec = execStream(kube, remote.namespace, remote.pod, remote.container, [
        "tar",
        "-c",
        "-f",
        "-",
        "-C",
        "/",
        "--",
        ...names,
      ]);
      exec.stdout.on("data", (c: Buffer) => request.onBytes?.(c.length));
      const stopExec = () => exec.stdout.destroy(new Error("the copy was stopped"));
      signal?.addEventListener("abort", stopExec);
      const [extracted, ran] = await Promise.allSettled([
        extractWithTar(tarPath, folder, exec.stdout),
        exec.done,
      ]);
      signal?.removeEventListener("abort", stopExec);
      if (extracted.status === "fulfilled" && ran.status === "fulfilled") return;
      signal?.throwIfAborted();
      await viaAgent(paths);
    };
    await Promise.all([
      ...shares.map((paths) => (tar && !skip.size ? viaExec(tar, paths) : viaAgent(paths))),
      ...(privately.length
        ? [
            viaAgent(
              privately.map((v) => v.path),
              true,
            ),
          ]
        : []),
    ]);
    return listings;
  }
}

/** About how many bytes a tar of a listed volume takes: a header per entry, files in blocks. */
function tarSize(listing: Listing): number {
  let bytes = 0;
  for (const [, [type, , size]] of listing.entries ?? [])
    bytes += 512 + (type === "file" ? Math.ceil(size / 512) * 512 : 0);
  return bytes;
}

/** Tell the sidecar the first copy is done (or failed): the marker, written whole then renamed. */
export async function writeHostCopyMarker(folder: string, marker: HostCopyMarker): Promise<void> {
  const path = join(folder, hostCopyMarker);
  await writeFile(`${path}.tmp`, JSON.stringify(marker), { mode: 0o600 });
  await rename(`${path}.tmp`, path);
}
