import type { V1Container, V1Pod } from "@kubernetes/client-node";
import { parseQuantity } from "./quantity.js";

/** What the downward API reads besides the pod object itself. */
export interface PodRuntimeInfo {
  podIP: string;
  hostIP: string;
}

function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {})
    .sort()
    .map((k) => `${k}=${JSON.stringify(m?.[k])}`)
    .join("\n");
}

/** The value of a downward API fieldRef (pkg/kubelet podFieldSelectorRuntimeValue). */
export function fieldRefValue(pod: V1Pod, path: string, info: PodRuntimeInfo): string {
  const md = pod.metadata ?? {};
  const sub = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (sub) return (sub[1] === "labels" ? md.labels : md.annotations)?.[sub[2] ?? ""] ?? "";
  switch (path) {
    case "metadata.name":
      return md.name ?? "";
    case "metadata.namespace":
      return md.namespace ?? "";
    case "metadata.uid":
      return md.uid ?? "";
    case "metadata.labels":
      return formatMap(md.labels);
    case "metadata.annotations":
      return formatMap(md.annotations);
    case "spec.nodeName":
      return pod.spec?.nodeName ?? "";
    case "spec.serviceAccountName":
      return pod.spec?.serviceAccountName ?? "";
    case "status.podIP":
    case "status.podIPs":
      return info.podIP;
    case "status.hostIP":
    case "status.hostIPs":
      return info.hostIP;
    default:
      throw new Error(`unsupported fieldRef fieldPath ${JSON.stringify(path)}`);
  }
}

// What this node offers when a container has no limit (its allocatable).
const nodeAllocatable: Record<string, number> = {
  cpu: 4,
  memory: 8 * 2 ** 30,
  "ephemeral-storage": 20 * 2 ** 30,
};

/** The value of a resourceFieldRef, rounded up to the divisor (pkg/api/v1/resource ExtractContainerResourceValue). */
export function resourceFieldValue(
  container: V1Container | undefined,
  resource: string,
  divisor: string | number | undefined,
): string {
  const [kind, name = ""] = resource.split(".", 2);
  const limits = container?.resources?.limits as Record<string, string> | undefined;
  const requests = container?.resources?.requests as Record<string, string> | undefined;
  let value: number | undefined;
  if (kind === "limits") value = parseQuantity(limits?.[name]) ?? nodeAllocatable[name];
  else if (kind === "requests") value = parseQuantity(requests?.[name]) ?? (name === "cpu" ? 0 : 0);
  if (value === undefined)
    throw new Error(`unsupported resourceFieldRef resource ${JSON.stringify(resource)}`);
  const d = parseQuantity(divisor) || 1;
  return String(Math.ceil(value / d - 1e-9));
}
