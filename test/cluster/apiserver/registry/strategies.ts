import type { ResourceDef } from "../resource-table.js";
import { podStrategy } from "./pod-strategy.js";
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
import { deploymentStrategy, hpaStrategy, replicaSetStrategy } from "./workload-strategy.js";

const byResource: Record<string, Strategy> = {
  "/pods": podStrategy,
  "/services": serviceStrategy,
  "/namespaces": namespaceStrategy,
  "/secrets": secretStrategy,
  "/configmaps": configMapStrategy,
  "/nodes": nodeStrategy,
  "/endpoints": endpointsStrategy,
  "apps/deployments": deploymentStrategy,
  "apps/replicasets": replicaSetStrategy,
  "autoscaling/horizontalpodautoscalers": hpaStrategy,
};

export function strategyFor(def: ResourceDef): Strategy {
  return byResource[`${def.group}/${def.plural}`] ?? defaultStrategy;
}
