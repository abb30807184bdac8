import type { V1Pod, V1Volume } from "@kubernetes/client-node";
import type { VolumeSpec } from "../contract/volume-config.js";

/** Where Kubernetes mounts the service account's token (unless the pod opts out). */
export const serviceAccountPath = "/var/run/secrets/kubernetes.io/serviceaccount";

/** Volumes Kubernetes always mounts read-only, whatever the volumeMount says: API objects. */
function alwaysReadOnly(v: V1Volume | undefined): boolean {
  return Boolean(v?.configMap || v?.secret || v?.downwardAPI || v?.projected);
}

/** Volumes whose contents are credentials: kept owner-only on the host. */
function holdsSecrets(v: V1Volume | undefined): boolean {
  if (v?.secret) return true;
  return (v?.projected?.sources ?? []).some((s) => s.secret || s.serviceAccountToken || s.clusterTrustBundle);
}

/**
 * Whether a writable mount of the container writes to storage that outlives the pod (a claim, a
 * host path, a network volume): what is written locally must reach it before the proxy pod goes.
 */
export function writesOutlivePod(pod: V1Pod, containerName: string): boolean {
  const container = pod.spec?.containers.find((c) => c.name === containerName);
  const volumes = new Map((pod.spec?.volumes ?? []).map((v) => [v.name, v]));
  return (container?.volumeMounts ?? []).some((m) => {
    const v = volumes.get(m.name);
    if (!v || m.readOnly || alwaysReadOnly(v) || v.persistentVolumeClaim?.readOnly) return false;
    // What lives and dies with the pod: scratch space, ephemeral claims and inline CSI volumes,
    // a cloned repository, an image's files.
    const podLifetime = ["emptyDir", "ephemeral", "csi", "gitRepo", "image"] as const;
    return !podLifetime.some((kind) => (v as unknown as Record<string, unknown>)[kind] !== undefined);
  });
}

/**
 * The volumes to copy for a container of a pod: each of its volumeMounts (subPath mounts are
 * copied as the container sees them), plus the service account token when the pod has one and
 * no mount lists it (some API servers leave it to the kubelet).
 */
export function volumeSpecsOf(pod: V1Pod, containerName: string): VolumeSpec[] {
  const container = pod.spec?.containers.find((c) => c.name === containerName);
  const volumes = new Map((pod.spec?.volumes ?? []).map((v) => [v.name, v]));
  const specs: VolumeSpec[] = [];
  for (const m of container?.volumeMounts ?? []) {
    const path = m.mountPath.replace(/\/+$/, "") || "/";
    if (path === "/" || specs.some((s) => s.path === path)) continue;
    const v = volumes.get(m.name);
    specs.push({
      path,
      name: m.name,
      readOnly: Boolean(m.readOnly) || alwaysReadOnly(v) || path === serviceAccountPath,
      ownerOnly: holdsSecrets(v) || path === serviceAccountPath,
      bounded: alwaysReadOnly(v) || path === serviceAccountPath,
    });
  }
  const automount = pod.spec?.automountServiceAccountToken !== false;
  if (automount && !specs.some((s) => s.path === serviceAccountPath))
    specs.push({
      path: serviceAccountPath,
      name: "service-account-token",
      readOnly: true,
      ownerOnly: true,
      bounded: true,
    });
  return specs.sort((a, b) => (a.path < b.path ? -1 : 1));
}
