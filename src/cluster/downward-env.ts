import type { V1Container, V1Pod } from "@kubernetes/client-node";
import { ceilDivide, milliValue, parseQuantity, wholeValue, type Fraction } from "./quantity.js";

/** What a value of the downward API depends on that the pod's spec does not say. */
export class NotKnownAhead extends Error {
  constructor(
    /** "status": known from the pod once it runs; "node": only the kubelet knows it. */
    readonly needs: "status" | "node",
    what: string,
  ) {
    super(`${what} is known only ${needs === "status" ? "once the pod runs" : "on the pod's node"}`);
  }
}

/** The pod's values that its status gives (taken from the pod once it runs). */
export interface PodStatusValues {
  podIPs: string[];
  hostIPs: string[];
  nodeName: string;
}

export function statusValues(pod: V1Pod): PodStatusValues {
  const ips = (list: { ip?: string }[] | undefined, one: string | undefined) =>
    list?.length ? list.map((i) => i.ip ?? "") : one ? [one] : [];
  return {
    podIPs: ips(pod.status?.podIPs, pod.status?.podIP),
    hostIPs: ips(pod.status?.hostIPs, pod.status?.hostIP),
    nodeName: pod.spec?.nodeName ?? "",
  };
}

/**
 * A fieldRef's value (pkg/kubelet podFieldSelectorRuntimeValue, pkg/fieldpath). The pod's
 * metadata and spec are known ahead; its node and addresses only with `status`.
 */
export function fieldRefValue(pod: V1Pod, path: string, status?: PodStatusValues): string {
  const meta = pod.metadata ?? {};
  const keyed = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(path);
  if (keyed) return (keyed[1] === "labels" ? meta.labels : meta.annotations)?.[keyed[2] ?? ""] ?? "";
  const ahead: Record<string, string | undefined> = {
    "metadata.name": meta.name,
    "metadata.namespace": meta.namespace,
    "metadata.uid": meta.uid,
    "spec.serviceAccountName": pod.spec?.serviceAccountName,
  };
  if (path in ahead) return ahead[path] ?? "";
  const fromStatus: Record<string, (s: PodStatusValues) => string> = {
    "spec.nodeName": (s) => s.nodeName,
    "status.podIP": (s) => s.podIPs[0] ?? "",
    "status.podIPs": (s) => s.podIPs.join(","),
    "status.hostIP": (s) => s.hostIPs[0] ?? "",
    "status.hostIPs": (s) => s.hostIPs.join(","),
  };
  const read = fromStatus[path];
  if (!read) throw new NotKnownAhead("node", `fieldRef ${path}`);
  if (!status) throw new NotKnownAhead("status", `fieldRef ${path}`);
  return read(status);
}

/**
 * A resourceFieldRef's value (pkg/api/v1/resource ExtractContainerResourceValue): the container's
 * request or limit divided by the divisor, rounded up; CPU in millicores before dividing. A limit
 * the container does not set is the node's allocatable (or the pod's own limit): only the kubelet
 * knows it.
 */
export function resourceFieldValue(
  pod: V1Pod,
  container: V1Container,
  ref: { containerName?: string; resource: string; divisor?: string | number },
): string {
  const target = ref.containerName
    ? [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find(
        (c) => c.name === ref.containerName,
      )
    : container;
  const dot = ref.resource.indexOf(".");
  const kind = ref.resource.slice(0, dot);
  const name = ref.resource.slice(dot + 1);
  const supported = ["cpu", "memory", "ephemeral-storage"].includes(name) || name.startsWith("hugepages-");
  if (!target || (kind !== "limits" && kind !== "requests") || !supported)
    throw new NotKnownAhead("node", `resourceFieldRef ${ref.resource}`);
  const set = (target.resources?.[kind] as Record<string, string> | undefined)?.[name];
  const podLevel = (pod.spec as { resources?: Record<string, Record<string, string>> } | undefined)
    ?.resources?.[kind]?.[name];
  if (set === undefined && (kind === "limits" || podLevel !== undefined))
    throw new NotKnownAhead("node", `resourceFieldRef ${ref.resource} without a ${kind} value`);
  const zero: Fraction = { n: 0n, d: 1n };
  const value = set === undefined ? zero : parseQuantity(set);
  const given = ref.divisor === undefined ? undefined : parseQuantity(ref.divisor);
  const divisor = given && given.n !== 0n ? given : { n: 1n, d: 1n };
  if (!value) throw new NotKnownAhead("node", `resourceFieldRef ${ref.resource} of ${set}`);
  const result =
    name === "cpu"
      ? ceilDivide({ n: milliValue(value), d: 1n }, { n: milliValue(divisor), d: 1n })
      : ceilDivide({ n: wholeValue(value), d: 1n }, { n: wholeValue(divisor), d: 1n });
  return result.toString();
}
