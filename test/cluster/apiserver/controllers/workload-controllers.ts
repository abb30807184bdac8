import { resourceByPlural, resources } from "../resource-table.js";
import type { Registry } from "../registry/registry.js";
import type { StoreEvent } from "../store/object-store.js";
import { CrdController } from "./crd-controller.js";
import { EventRecorder } from "./event-recorder.js";
import { RolloutController, rolloutGroup } from "./rollout-controller.js";
import { StatefulSetController } from "./statefulset-controller.js";
import { VolumeBinder } from "./volume-binder.js";
import type { WorkQueue } from "./work-queue.js";
import { nsKey } from "./work-queue.js";

interface Controller {
  queue: WorkQueue;
  onEvent(e: StoreEvent): void;
}

/** StatefulSets, persistent volumes, CustomResourceDefinitions and the test custom workload. */
export function startWorkloadControllers(registry: Registry): { controllers: Controller[]; resync(): void } {
  const statefulSets = new StatefulSetController(
    registry,
    new EventRecorder(registry, "statefulset-controller"),
  );
  const volumes = new VolumeBinder(registry);
  const crds = new CrdController(registry);
  const rollouts = new RolloutController(registry, new EventRecorder(registry, "rollouts-controller"));
  const resync = (): void => {
    const each = (group: string, plural: string, queue: WorkQueue) => {
      for (const o of registry.list(resourceByPlural(group, plural), undefined))
        queue.add(nsKey(o.metadata.namespace, o.metadata.name ?? ""));
    };
    each("apps", "statefulsets", statefulSets.queue);
    each("", "persistentvolumeclaims", volumes.queue);
    for (const o of registry.list(
      resourceByPlural("apiextensions.k8s.io", "customresourcedefinitions"),
      undefined,
    ))
      crds.queue.add(o.metadata.name ?? "");
    const ro = resources.find((r) => r.group === rolloutGroup && r.plural === "rollouts" && !r.storage);
    if (ro) each(ro.group, ro.plural, rollouts.queue);
  };
  return { controllers: [statefulSets, volumes, crds, rollouts], resync };
}
