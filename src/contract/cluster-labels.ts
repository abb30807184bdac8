/** Labels and annotations tp puts on everything it creates or changes in a cluster. */
export const Labels = {
  /** Every object tp creates. */
  managedBy: "app.kubernetes.io/managed-by",
  /** The session that created the object. */
  session: "tp.dev/session",
  /** What the object is for: proxy, deployment, service, lease, warden. */
  role: "tp.dev/role",
} as const;

export const managedByValue = "tp";

export const Annotations = {
  /** On a swapped workload: the session that swapped it. */
  session: "tp.dev/session",
  /** On a swapped workload: its replica count before the swap. */
  originalReplicas: "tp.dev/original-replicas",
  /** On a swapped workload once tp scaled it: the count tp set (a different count is someone else's). */
  scaledTo: "tp.dev/scaled-to",
  /**
   * On a swapped workload whose pods and proxy may not overlap (set before it is scaled to 0):
   * an undo removes the proxy, and waits until it is gone, before the workload is scaled back.
   */
  proxyFirst: "tp.dev/proxy-first",
  /** On a swapped workload: when the swap happened (RFC 3339). */
  swappedAt: "tp.dev/swapped-at",
  /** On a swapped workload: its API resource (WorkloadRef as JSON), so any kind can be restored. */
  workload: "tp.dev/workload",
  /** On a session's objects: what the session is (swap, new-deployment, ...) as JSON. */
  sessionInfo: "tp.dev/session-info",
} as const;

export function sessionLabels(sessionId: string, role: string): Record<string, string> {
  return { [Labels.managedBy]: managedByValue, [Labels.session]: sessionId, [Labels.role]: role };
}

export function sessionSelector(sessionId?: string): string {
  return `${Labels.managedBy}=${managedByValue}` + (sessionId ? `,${Labels.session}=${sessionId}` : "");
}
