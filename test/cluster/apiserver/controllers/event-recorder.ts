import { randomBytes } from "node:crypto";
import { kubeNow, type KubeObject } from "../../shared/kube-object.js";
import { resourceByPlural } from "../resource-table.js";
import type { Registry } from "../registry/registry.js";

/** Writes core/v1 Events about objects, as controllers' event recorders do. */
export class EventRecorder {
  constructor(
    private readonly registry: Registry,
    private readonly component: string,
  ) {}

  record(obj: KubeObject, type: "Normal" | "Warning", reason: string, message: string): void {
    const ns = obj.metadata.namespace ?? "default";
    const now = kubeNow();
    try {
      this.registry.create(resourceByPlural("", "events"), ns, {
        metadata: { name: `${obj.metadata.name ?? ""}.${randomBytes(8).toString("hex")}`, namespace: ns },
        involvedObject: {
          kind: obj.kind,
          namespace: obj.metadata.namespace,
          name: obj.metadata.name,
          uid: obj.metadata.uid,
          apiVersion: obj.apiVersion,
          resourceVersion: obj.metadata.resourceVersion,
        },
        reason,
        message,
        source: { component: this.component },
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
        type,
        eventTime: null,
        reportingComponent: this.component,
        reportingInstance: "",
      });
    } catch {
      /* the namespace may be going away; events are best effort */
    }
  }
}
