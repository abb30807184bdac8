import { isJsonObject, type JsonObject } from "../../shared/kube-object.js";
import { resourceByPlural, resources, resourceKey } from "../resource-table.js";
import type { Registry } from "../registry/registry.js";
import type { StoreEvent } from "../store/object-store.js";
import { WorkQueue } from "./work-queue.js";

const nsDef = resourceByPlural("", "namespaces");
const saDef = resourceByPlural("", "serviceaccounts");
const cmDef = resourceByPlural("", "configmaps");

/**
 * Per-namespace housekeeping: the `default` ServiceAccount and the `kube-root-ca.crt` ConfigMap in
 * every namespace (serviceaccount and root-ca-cert-publisher controllers), and emptying a
 * namespace being deleted before it goes (namespace controller).
 */
export class NamespaceControllers {
  readonly queue: WorkQueue;

  constructor(
    private readonly registry: Registry,
    private readonly caCert: string,
  ) {
    this.queue = new WorkQueue("namespace-controller", (k) => this.sync(k));
  }

  onEvent(e: StoreEvent): void {
    const ns = e.object.metadata.namespace;
    if (e.resource === "/namespaces") this.queue.add(e.object.metadata.name ?? "");
    else if (ns && (e.resource === "/serviceaccounts" || e.resource === "/configmaps")) this.queue.add(ns);
    else if (ns && e.type === "DELETED") {
      const nsObj = this.registry.find(nsDef, undefined, ns);
      if (nsObj?.metadata.deletionTimestamp) this.queue.add(ns);
    }
  }

  sync(name: string): void {
    const ns = this.registry.find(nsDef, undefined, name);
    if (!ns) return;
    if (ns.metadata.deletionTimestamp) return this.finalize(name);
    if (!this.registry.find(saDef, name, "default"))
      this.registry.create(saDef, name, { metadata: { name: "default" } });
    const cm = this.registry.find(cmDef, name, "kube-root-ca.crt");
    const data = { "ca.crt": this.caCert };
    const annotations = {
      "kubernetes.io/description":
        "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.",
    };
    if (!cm) this.registry.create(cmDef, name, { metadata: { name: "kube-root-ca.crt", annotations }, data });
    else if (!isJsonObject(cm.data) || cm.data["ca.crt"] !== this.caCert) {
      cm.data = data;
      this.registry.update(cmDef, name, "kube-root-ca.crt", cm);
    }
  }

  private finalize(name: string): void {
    let remaining = 0;
    for (const def of resources.filter((r) => r.namespaced)) {
      for (const o of this.registry.store.list(resourceKey(def), name)) {
        remaining++;
        if (o.metadata.deletionTimestamp) continue;
        try {
          this.registry.delete(def, name, o.metadata.name ?? "", { propagationPolicy: "Background" });
        } catch {
          /* gone meanwhile */
        }
      }
    }
    if (remaining > 0) {
      this.queue.addAfter(name, 1000);
      return;
    }
    const ns = this.registry.find(nsDef, undefined, name);
    if (!ns) return;
    const spec: JsonObject = isJsonObject(ns.spec) ? ns.spec : {};
    spec.finalizers = [];
    ns.spec = spec;
    if (!(ns.metadata.finalizers ?? []).length) this.registry.store.remove("/namespaces", undefined, name);
    else this.registry.store.update("/namespaces", ns);
  }
}
