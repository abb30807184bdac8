import type { V1Pod, V1Volume, V1VolumeMount } from "@kubernetes/client-node";

export const serviceAccountMountPath = "/var/run/secrets/kubernetes.io/serviceaccount";
/** The name of the volume this node adds when the API server did not inject one. */
export const serviceAccountVolumeName = "kube-api-access-node";

/**
 * The pod's volumes plus, when the service account token is to be mounted and no container mounts
 * one already (the API server's ServiceAccount admission adds a `kube-api-access-*` projected
 * volume), the same projected volume: token, ca.crt, namespace.
 */
export function withServiceAccountVolume(pod: V1Pod): { volumes: V1Volume[]; extraMount?: V1VolumeMount } {
  const volumes = [...(pod.spec?.volumes ?? [])];
  if (pod.spec?.automountServiceAccountToken === false) return { volumes };
  const all = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  if (
    all.some((c) => c.volumeMounts?.some((m) => m.mountPath.replace(/\/$/, "") === serviceAccountMountPath))
  ) {
    return { volumes };
  }
  volumes.push({
    name: serviceAccountVolumeName,
    projected: {
      defaultMode: 0o644,
      sources: [
        { serviceAccountToken: { path: "token", expirationSeconds: 3607 } },
        {
          downwardAPI: {
            items: [{ path: "namespace", fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } }],
          },
        },
      ],
    },
  });
  return {
    volumes,
    extraMount: { name: serviceAccountVolumeName, mountPath: serviceAccountMountPath, readOnly: true },
  };
}
