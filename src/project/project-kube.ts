import { loadKube, type Kube, type KubeTarget } from "../kube/kube.js";
import type { Project } from "./model.js";

/**
 * Kubernetes clients for a project, one per namespace: a service's own namespace, else -n, else
 * the file's x-tp namespace, else the context's. --context wins over the file's x-tp context.
 */
export function projectKube(global: KubeTarget, project: Project): (namespace: string | undefined) => Kube {
  const cache = new Map<string, Kube>();
  return (namespace) => {
    const key = namespace ?? "";
    let kube = cache.get(key);
    if (!kube) {
      const ns = namespace ?? global.namespace ?? project.tp.namespace;
      const context = global.context ?? project.tp.context;
      kube = loadKube({
        ...(global.kubeconfig ? { kubeconfig: global.kubeconfig } : {}),
        ...(context ? { context } : {}),
        ...(ns ? { namespace: ns } : {}),
      });
      cache.set(key, kube);
    }
    return kube;
  };
}
