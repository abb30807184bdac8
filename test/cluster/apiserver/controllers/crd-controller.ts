import { kubeNow, type JsonObject } from "../../shared/kube-object.js";
import { crdSpec, customResourceDefs, storageVersion } from "../custom-resources.js";
import { addResource, removeResource, resourceByPlural, resources } from "../resource-table.js";
import type { Registry } from "../registry/registry.js";
import type { StoreEvent } from "../store/object-store.js";
import { WorkQueue } from "./work-queue.js";

const crdDef = resourceByPlural("apiextensions.k8s.io", "customresourcedefinitions");

/**
 * The apiextensions controllers: a CustomResourceDefinition's names are accepted and its resource
 * served (discovery, REST, scale and status subresources) once it is created; when it is deleted,
 * its resource stops being served and its objects are deleted.
 */
export class CrdController {
  readonly queue: WorkQueue;

  constructor(private readonly registry: Registry) {
    this.queue = new WorkQueue("crd-controller", (k) => this.sync(k));
  }

  onEvent(e: StoreEvent): void {
    if (e.resource === "apiextensions.k8s.io/customresourcedefinitions")
      this.queue.add(e.object.metadata.name ?? "");
  }

  sync(name: string): void {
    const crd = this.registry.find(crdDef, undefined, name);
    if (!crd || crd.metadata.deletionTimestamp) {
      const [plural = "", ...rest] = name.split(".");
      const group = rest.join(".");
      const served = resources.filter((r) => r.custom && r.group === group && r.plural === plural);
      for (const def of served.filter((d) => !d.storage)) {
        for (const o of this.registry.list(def, undefined))
          this.registry.delete(def, o.metadata.namespace, o.metadata.name ?? "", {});
      }
      removeResource(group, plural);
      return;
    }
    const spec = crdSpec(crd);
    const defs = customResourceDefs(crd);
    removeResource(spec.group, spec.names.plural);
    for (const d of defs) addResource(d);
    const now = kubeNow();
    const condition = (type: string, reason: string, message: string): JsonObject => ({
      type,
      status: "True",
      lastTransitionTime: now,
      reason,
      message,
    });
    const status: JsonObject = {
      conditions: [
        condition("NamesAccepted", "NoConflicts", "no conflicts found"),
        condition("Established", "InitialNamesAccepted", "the initial names have been accepted"),
      ],
      acceptedNames: {
        plural: spec.names.plural,
        singular: spec.names.singular ?? spec.names.kind.toLowerCase(),
        kind: spec.names.kind,
        listKind: `${spec.names.kind}List`,
        ...(spec.names.shortNames ? { shortNames: spec.names.shortNames } : {}),
        ...(spec.names.categories ? { categories: spec.names.categories } : {}),
      },
      storedVersions: [storageVersion(spec)],
    };
    const current = crd.status as JsonObject | undefined;
    if (
      JSON.stringify(current?.acceptedNames) === JSON.stringify(status.acceptedNames) &&
      current?.conditions
    )
      return;
    this.registry.mutate(crdDef, undefined, name, (o) => (o.status = status), "status");
  }
}
