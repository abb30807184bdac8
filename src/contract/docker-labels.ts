/** Labels on every Docker object tp creates, so cleanup finds them after a crash. */
export const DockerLabels = {
  managedBy: "dev.tp.managed-by",
  session: "dev.tp.session",
  role: "dev.tp.role",
  /** Where the session's cluster end lives: "namespace/pod", for messages and cleanup. */
  remote: "dev.tp.remote",
  /** The kube context of the session, for cleanup. */
  context: "dev.tp.context",
} as const;

export function dockerSessionLabels(
  sessionId: string,
  role: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    [DockerLabels.managedBy]: "tp",
    [DockerLabels.session]: sessionId,
    [DockerLabels.role]: role,
    ...extra,
  };
}

/** On a session's sidecar: the session folder with the copy of the pod's volumes, for cleanup. */
export const volumesFolderLabel = "dev.tp.volumes";
