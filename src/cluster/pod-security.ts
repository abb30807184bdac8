import type { V1Pod, V1PodSpec, V1SecurityContext } from "@kubernetes/client-node";
import { TpError } from "../errors.js";
import { Labels } from "../contract/cluster-labels.js";
import { kubeCreate, madeBySession } from "../kube/kube-call.js";
import type { Kube } from "../kube/kube.js";

/** The namespaced, safe sysctl that lets a non-root agent listen on ports below 1024. */
export const unprivilegedPortSysctl = "net.ipv4.ip_unprivileged_port_start";

/**
 * A container's securityContext with what Pod Security "restricted" requires added where it is
 * not set: no privilege escalation, every capability dropped, seccomp RuntimeDefault (unless the
 * pod sets a profile), non-root (unless the container runs as UID 0 on purpose). What is set is
 * kept; no UID is chosen, so the image's user or the cluster's assigned UID applies.
 */
export function withRestrictedContext(
  sc: V1SecurityContext | undefined,
  pod?: V1PodSpec["securityContext"],
): V1SecurityContext {
  const out: V1SecurityContext = { ...sc };
  out.allowPrivilegeEscalation ??= false;
  const drop = out.capabilities?.drop ?? [];
  if (!drop.includes("ALL")) out.capabilities = { ...out.capabilities, drop: [...drop, "ALL"] };
  if (!out.seccompProfile && !pod?.seccompProfile) out.seccompProfile = { type: "RuntimeDefault" };
  const uid = out.runAsUser ?? pod?.runAsUser;
  if (out.runAsNonRoot === undefined && pod?.runAsNonRoot === undefined && uid !== 0) out.runAsNonRoot = true;
  return out;
}

/** Admission refused the pod because of the sysctl it asks for. */
export function refusesPortSysctl(err: unknown, pod: V1Pod): boolean {
  return (
    err instanceof TpError &&
    err.code === "cluster-error" &&
    asksForSysctl(pod) &&
    (err.message.includes(unprivilegedPortSysctl) || /sysctl/i.test(err.message))
  );
}

/** The pod without the sysctl. */
export function withoutPortSysctl(pod: V1Pod): V1Pod {
  const copy = structuredClone(pod);
  const sc = copy.spec?.securityContext;
  if (sc?.sysctls) {
    sc.sysctls = sc.sysctls.filter((s) => s.name !== unprivilegedPortSysctl);
    if (!sc.sysctls.length) delete sc.sysctls;
  }
  return copy;
}

function asksForSysctl(pod: V1Pod): boolean {
  return !!pod.spec?.securityContext?.sysctls?.some((s) => s.name === unprivilegedPortSysctl);
}

/** What doctor says when the proxy may not listen below 1024, whatever the ports. */
export const lowPortsHint =
  "ports below 1024 will not work in the proxy: expose ports of 1024 or more instead " +
  "(--expose LOCAL:REMOTE with REMOTE >= 1024, and the Service's targetPort set to REMOTE)";

/** What to tell the user when the proxy may not listen below 1024. */
export function lowPortsAdvice(ports: number[]): string | undefined {
  const low = [...new Set(ports.filter((p) => p > 0 && p < 1024))].sort((a, b) => a - b);
  if (!low.length) return undefined;
  const example = low[0]! + 8000;
  return (
    `the cluster does not allow the sysctl ${unprivilegedPortSysctl}, so the non-root proxy cannot ` +
    `listen on port${low.length > 1 ? "s" : ""} ${low.join(", ")}: expose a port of 1024 or more ` +
    `instead (e.g. --expose ${low[0]}:${example}, with the Service's targetPort set to ${example})`
  );
}

/**
 * Create a proxy pod. Where admission refuses the sysctl that opens ports below 1024, the pod is
 * created without it and the user is told which ports will not work and what to do instead.
 */
export async function admitProxyPod(
  kube: Kube,
  namespace: string,
  pod: V1Pod,
  ports: number[],
  warn: (text: string) => void,
): Promise<V1Pod> {
  const name = pod.metadata?.name ?? "";
  // A retry told 409 takes the pod this create made (its session label says so).
  const create = (body: V1Pod) =>
    kubeCreate(
      `create pod ${namespace}/${name}`,
      () => kube.core.createNamespacedPod({ namespace, body }),
      () =>
        madeBySession(
          () => kube.core.readNamespacedPod({ name, namespace }),
          body.metadata?.labels?.[Labels.session] ?? "",
        ),
    );
  try {
    return await create(pod);
  } catch (err) {
    if (!refusesPortSysctl(err, pod)) throw err;
    const admitted = await create(withoutPortSysctl(pod));
    const advice = lowPortsAdvice(ports);
    if (advice) warn(advice);
    return admitted;
  }
}
