import { chmod, lchown, lstat, mkdir, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { V1Pod, V1Volume } from "@kubernetes/client-node";
import { writeAtomically } from "./atomic-writer.js";
import type { ObjectSource } from "./env-resolver.js";
import type { PodRuntimeInfo } from "./field-ref.js";
import { serviceAccountVolumeName } from "./service-account-volume.js";
import { MountError, volumePayload, type TokenSource } from "./volume-payload.js";

/** Where a pod volume lives for Docker binds. */
export interface PreparedVolume {
  hostPath: string;
  /** configMap, secret, downwardAPI and projected volumes are always mounted read-only. */
  readOnly: boolean;
}

function pluginOf(vol: V1Volume): string {
  if (vol.configMap) return "kubernetes.io~configmap";
  if (vol.secret) return "kubernetes.io~secret";
  if (vol.downwardAPI) return "kubernetes.io~downward-api";
  if (vol.projected) return "kubernetes.io~projected";
  if (vol.persistentVolumeClaim) return "kubernetes.io~pvc";
  return "kubernetes.io~empty-dir";
}

const readWriteMask = 0o660;
const readOnlyMask = 0o440;
const folderMask = 0o2110;

/**
 * A volume given to the pod's fsGroup, as the kubelet's VolumeOwnership does it for the volumes
 * it manages (pkg/volume/volume_linux.go): every path's group becomes the fsGroup; files and
 * folders get the group's read bits (and write bits where the volume is writable), folders the
 * group's search bit and setgid, so that new files belong to the group. Symlinks keep their mode.
 */
async function giveToGroup(dir: string, fsGroup: number | undefined, readOnly: boolean): Promise<void> {
  if (fsGroup === undefined) return;
  const mask = readOnly ? readOnlyMask : readWriteMask;
  const visit = async (path: string): Promise<void> => {
    const st = await lstat(path);
    if (st.isDirectory()) for (const name of await readdir(path)) await visit(join(path, name));
    await lchown(path, st.uid, fsGroup);
    if (st.isSymbolicLink()) return;
    await chmod(path, (st.mode & 0o7777) | mask | (st.isDirectory() ? folderMask : 0));
  };
  await visit(dir);
}

/** Sets up and refreshes the volumes of pods under `<root>/<uid>/volumes/<plugin>/<name>`. */
export class VolumeManager {
  constructor(
    readonly root: string,
    private readonly source: ObjectSource,
    private readonly tokens: TokenSource,
  ) {}

  podDir(uid: string): string {
    return join(this.root, uid);
  }

  /** Writes every volume of the pod (idempotent: unchanged data is left alone). */
  async setUp(pod: V1Pod, volumes: V1Volume[], info: PodRuntimeInfo): Promise<Map<string, PreparedVolume>> {
    const uid = pod.metadata?.uid ?? "";
    const out = new Map<string, PreparedVolume>();
    for (const vol of volumes) {
      if (vol.persistentVolumeClaim) {
        out.set(vol.name, await this.claimedVolume(pod, vol));
        continue;
      }
      if (vol.hostPath) {
        out.set(vol.name, { hostPath: vol.hostPath.path, readOnly: false });
        continue;
      }
      const dir = join(this.podDir(uid), "volumes", pluginOf(vol), vol.name);
      const payload = await volumePayload(pod, vol, info, this.source, this.tokens);
      const fsGroup = pod.spec?.securityContext?.fsGroup;
      if (payload) {
        if (vol.name === serviceAccountVolumeName)
          payload.set("ca.crt", { data: this.tokens.caCert(), mode: 0o644 });
        // The modes the files will have once given to the fsGroup: unchanged data is left alone.
        if (fsGroup !== undefined) for (const f of payload.values()) f.mode |= readOnlyMask;
        await writeAtomically(dir, payload, (d) => giveToGroup(d, fsGroup, true));
        out.set(vol.name, { hostPath: dir, readOnly: true });
      } else {
        // Set up once: this runs again for every refresh of the pod's volumes, and a chmod then
        // would drop the setgid bit while the pod's containers write there.
        if ((await mkdir(dir, { recursive: true })) !== undefined) {
          await chmod(dir, 0o777);
          await giveToGroup(dir, fsGroup, false);
        }
        out.set(vol.name, { hostPath: dir, readOnly: false });
      }
    }
    return out;
  }

  /** A claim's bound volume: the directory of its PersistentVolume, kept when the pod goes. */
  private async claimedVolume(pod: V1Pod, vol: V1Volume): Promise<PreparedVolume> {
    const ns = pod.metadata?.namespace ?? "default";
    const name = vol.persistentVolumeClaim?.claimName ?? "";
    const claim = this.source.persistentVolumeClaim?.(ns, name);
    if (!claim) throw new MountError(`persistentvolumeclaim "${name}" not found`);
    const pv = claim.spec?.volumeName ? this.source.persistentVolume?.(claim.spec.volumeName) : undefined;
    const path = pv?.spec?.hostPath?.path ?? pv?.spec?.local?.path;
    if (claim.status?.phase !== "Bound" || !path)
      throw new MountError(`persistentvolumeclaim "${name}" is not bound yet`);
    await mkdir(path, { recursive: true });
    await chmod(path, 0o777);
    return { hostPath: path, readOnly: vol.persistentVolumeClaim?.readOnly === true };
  }

  async tearDown(uid: string): Promise<void> {
    if (!uid) return;
    await rm(this.podDir(uid), { recursive: true, force: true });
  }
}
