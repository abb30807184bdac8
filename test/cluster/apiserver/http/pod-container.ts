import { isJsonObject, type JsonObject, type KubeObject } from "../../shared/kube-object.js";
import { badRequest } from "./api-error.js";

function names(list: unknown): string[] {
  return Array.isArray(list) ? list.filter(isJsonObject).map((c) => String(c.name)) : [];
}

/** The container a log/exec/attach request means, resolved as the real API server does. */
export function resolveContainer(pod: KubeObject, requested: string | null): string {
  const spec: JsonObject = isJsonObject(pod.spec) ? pod.spec : {};
  const containers = names(spec.containers);
  const init = names(spec.initContainers);
  const ephemeral = names(spec.ephemeralContainers);
  const podName = pod.metadata.name ?? "";
  if (requested) {
    if (![...containers, ...init, ...ephemeral].includes(requested))
      throw badRequest(`container ${requested} is not valid for pod ${podName}`);
    return requested;
  }
  if (containers.length === 1) return containers[0]!;
  const annotated = pod.metadata.annotations?.["kubectl.kubernetes.io/default-container"];
  if (annotated && containers.includes(annotated)) return annotated;
  let msg = `a container name must be specified for pod ${podName}, choose one of: [${containers.join(" ")}]`;
  if (init.length) msg += ` or one of the init containers: [${init.join(" ")}]`;
  if (ephemeral.length) msg += ` or one of the ephemeral containers: [${ephemeral.join(" ")}]`;
  throw badRequest(msg);
}
