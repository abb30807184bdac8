import type { V1Container, V1Pod } from "@kubernetes/client-node";

/**
 * The kubelet's runAsNonRoot check (kuberuntime's verifyRunAsNonRoot): with runAsNonRoot true,
 * a container whose effective user is root, or whose image names its user by name only, is not
 * started (CreateContainerConfigError with the kubelet's message).
 */
export function verifyRunAsNonRoot(pod: V1Pod, c: V1Container, imageUser: string): string | undefined {
  const podSc = pod.spec?.securityContext;
  const nonRoot = c.securityContext?.runAsNonRoot ?? podSc?.runAsNonRoot;
  if (nonRoot !== true) return undefined;
  const md = pod.metadata ?? {};
  const who = `(pod: "${md.name}_${md.namespace}(${md.uid})", container: ${c.name})`;
  const runAsUser = c.securityContext?.runAsUser ?? podSc?.runAsUser;
  if (runAsUser !== undefined)
    return runAsUser === 0 ? `container's runAsUser breaks non-root policy ${who}` : undefined;
  const user = imageUser.split(":")[0] ?? "";
  if (user === "" || user === "0") return `container has runAsNonRoot and image will run as root ${who}`;
  if (!/^\d+$/.test(user))
    return `container has runAsNonRoot and image has non-numeric user (${user}), cannot verify user is non-root ${who}`;
  return undefined;
}
