import type { KubeObject } from "../../shared/kube-object.js";
import { limitRangerAdmission } from "../admission/limit-ranger-admission.js";
import { resourceQuotaAdmission } from "../admission/resource-quota-admission.js";
import { Registry } from "../registry/registry.js";
import { resourceByPlural } from "../resource-table.js";
import { ObjectStore } from "../store/object-store.js";

export { outcome } from "../testing/create-outcome.js";

/** Unit-test helpers: a registry with namespace "ns" and the two plugins, in the server's order. */
export const defs = {
  pods: resourceByPlural("", "pods"),
  quotas: resourceByPlural("", "resourcequotas"),
  limitRanges: resourceByPlural("", "limitranges"),
  configMaps: resourceByPlural("", "configmaps"),
  claims: resourceByPlural("", "persistentvolumeclaims"),
  events: resourceByPlural("", "events"),
};

export interface TestClock {
  now: number;
}

export function quotaCluster(clock: TestClock = { now: Date.now() }): Registry {
  const reg = new Registry(new ObjectStore(), [
    limitRangerAdmission,
    resourceQuotaAdmission(() => clock.now),
  ]);
  reg.create(resourceByPlural("", "namespaces"), undefined, { metadata: { name: "ns" } });
  reg.create(resourceByPlural("", "serviceaccounts"), "ns", { metadata: { name: "default" } });
  return reg;
}

type Resources = { requests?: Record<string, string>; limits?: Record<string, string> };

/** A pod of one container "c" (or the containers given) with these resources. */
export function podWith(name: string, resources: Resources = {}, spec: object = {}): KubeObject {
  return { metadata: { name }, spec: { containers: [{ name: "c", image: "i", resources }], ...spec } };
}
