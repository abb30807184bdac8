import { isJsonObject } from "../../shared/kube-object.js";
import { calculateUsage } from "../quota/evaluators.js";
import { toJson } from "../quota/resource-list.js";
import { resourceByPlural, resourceKey } from "../resource-table.js";
import type { Registry } from "../registry/registry.js";
import type { StoreEvent } from "../store/object-store.js";
import { WorkQueue } from "./work-queue.js";

const quotaDef = resourceByPlural("", "resourcequotas");

/**
 * The resource quota controller: keeps each quota's status.hard (its spec.hard) and status.used
 * (what the namespace's objects in its scopes use) current, so `kubectl describe quota` shows the
 * use. A namespace is measured again on any change in it while it holds a quota.
 */
export class ResourceQuotaController {
  readonly queue: WorkQueue;

  constructor(
    private readonly registry: Registry,
    private readonly now: () => number = Date.now,
  ) {
    this.queue = new WorkQueue("resourcequota-controller", (ns) => this.sync(ns));
  }

  private hasQuota(ns: string): boolean {
    return this.registry.store.filter(resourceKey(quotaDef), (q) => q.metadata.namespace === ns).length > 0;
  }

  onEvent(e: StoreEvent): void {
    const ns = e.object.metadata.namespace;
    if (!ns) return;
    if (e.resource === "/resourcequotas" || this.hasQuota(ns)) this.queue.add(ns);
  }

  /** Every namespace that holds a quota (for the periodic resync). */
  namespaces(): string[] {
    return [...new Set(this.registry.list(quotaDef, undefined).map((q) => q.metadata.namespace ?? ""))];
  }

  sync(ns: string): void {
    for (const q of this.registry.list(quotaDef, ns)) {
      const spec = isJsonObject(q.spec) ? q.spec : {};
      const status = {
        hard: isJsonObject(spec.hard) ? spec.hard : {},
        used: toJson(calculateUsage(this.registry.store, ns, q, this.now())),
      };
      if (JSON.stringify(q.status) === JSON.stringify(status)) continue;
      this.registry.mutate(quotaDef, ns, q.metadata.name ?? "", (o) => (o.status = status), "status");
    }
  }
}
