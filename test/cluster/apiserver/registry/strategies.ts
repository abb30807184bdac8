import type { ResourceDef } from "../resource-table.js";
import { podStrategy } from "./pod-strategy.js";
import { limitRangeStrategy, resourceQuotaStrategy } from "./quota-strategies.js";
import { serviceStrategy } from "./service-strategy.js";
import {
  configMapStrategy,
  defaultStrategy,
  endpointsStrategy,
  namespaceStrategy,
  nodeStrategy,
  secretStrategy,
} from "./simple-strategies.js";
import type { Strategy } from "./strategy.js";
import { validateCrd } from "../custom-resources.js";
import {
  persistentVolumeClaimStrategy,
  persistentVolumeStrategy,
  statefulSetStrategy,
} from "./statefulset-strategy.js";
import { deploymentStrategy, hpaStrategy, replicaSetStrategy } from "./workload-strategy.js";
import {
  ingressClassStrategy,
  ingressStrategy,
  networkPolicyStrategy,
  podDisruptionBudgetStrategy,
  priorityClassStrategy,
  storageClassStrategy,
} from "./network-strategies.js";

const byResource: Record<string, Strategy> = {
  "/pods": podStrategy,
  "/services": serviceStrategy,
  "/namespaces": namespaceStrategy,
  "/secrets": secretStrategy,
  "/configmaps": configMapStrategy,
  "/nodes": nodeStrategy,
  "/endpoints": endpointsStrategy,
  "/resourcequotas": resourceQuotaStrategy,
  "/limitranges": limitRangeStrategy,
  "apps/deployments": deploymentStrategy,
  "apps/replicasets": replicaSetStrategy,
  "apps/statefulsets": statefulSetStrategy,
  "/persistentvolumeclaims": persistentVolumeClaimStrategy,
  "/persistentvolumes": persistentVolumeStrategy,
  "apiextensions.k8s.io/customresourcedefinitions": {
    hasStatus: true,
    tracksGeneration: true,
    prepareForCreate: (o) => void (o.status = {}),
    validate: (o) => validateCrd(o),
  },
  "autoscaling/horizontalpodautoscalers": hpaStrategy,
  "networking.k8s.io/networkpolicies": networkPolicyStrategy,
  "networking.k8s.io/ingresses": ingressStrategy,
  "networking.k8s.io/ingressclasses": ingressClassStrategy,
  "policy/poddisruptionbudgets": podDisruptionBudgetStrategy,
  "scheduling.k8s.io/priorityclasses": priorityClassStrategy,
  "storage.k8s.io/storageclasses": storageClassStrategy,
};

export function strategyFor(def: ResourceDef): Strategy {
  if (def.custom)
    return { tracksGeneration: true, hasStatus: def.subresources.some((s) => s.name === "status") };
  return byResource[`${def.group}/${def.plural}`] ?? defaultStrategy;
}
