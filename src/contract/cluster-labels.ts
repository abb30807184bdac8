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
  /** On a swapped Deployment: the session that swapped it. */
  session: "tp.dev/session",
  /** On a swapped Deployment: its replica count before the swap. */
  originalReplicas: "tp.dev/original-replicas",
  /** On a swapped Deployment: when the swap happened (RFC 3339). */
  swappedAt: "tp.dev/swapped-at",
  /** On a session's objects: what the session is (swap, new-deployment, ...) as JSON. */
  sessionInfo: "tp.dev/session-info",
} as const;

export function sessionLabels(sessionId: string, role: string): Record<string, string> {
  return { [Labels.managedBy]: managedByValue, [Labels.session]: sessionId, [Labels.role]: role };
}

export function sessionSelector(sessionId?: string): string {
  return `${Labels.managedBy}=${managedByValue}` + (sessionId ? `,${Labels.session}=${sessionId}` : "");
}
