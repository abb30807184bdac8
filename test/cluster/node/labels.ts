/** Labels on every Docker object of the test cluster's node. */
export const labels = {
  cluster: "dev.tp.test-cluster",
  podUid: "dev.tp.test-cluster.pod-uid",
  namespace: "dev.tp.test-cluster.namespace",
  pod: "dev.tp.test-cluster.pod",
  container: "dev.tp.test-cluster.container",
  role: "dev.tp.test-cluster.role",
  attempt: "dev.tp.test-cluster.attempt",
} as const;

/** What a pod's Docker container is for. */
export type ContainerRole = "infra" | "init" | "app" | "port-forward";

/** The name of the infra container in the container label (the pause container's name in kubelet's docker names). */
export const infraName = "POD";

export function podLabels(
  uid: string,
  namespace: string,
  pod: string,
  container: string,
  role: ContainerRole,
  attempt: number,
): Record<string, string> {
  return {
    [labels.cluster]: "1",
    [labels.podUid]: uid,
    [labels.namespace]: namespace,
    [labels.pod]: pod,
    [labels.container]: container,
    [labels.role]: role,
    [labels.attempt]: String(attempt),
  };
}

/** A Docker container name like dockershim's `k8s_<container>_<pod>_<namespace>_<uid>_<attempt>`. */
export function dockerName(
  container: string,
  pod: string,
  namespace: string,
  uid: string,
  attempt: number,
): string {
  return `tp-k8s_${container}_${pod}_${namespace}_${uid}_${attempt}`;
}
