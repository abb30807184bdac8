import { resourceByPlural } from "../resource-table.js";
import type { Registry } from "../registry/registry.js";
import { DeploymentController } from "./deployment-controller.js";
import { DisruptionController } from "./disruption-controller.js";
import { EndpointsController } from "./endpoints-controller.js";
import { EventRecorder } from "./event-recorder.js";
import { GarbageCollector } from "./garbage-collector.js";
import { NamespaceControllers } from "./namespace-controllers.js";
import { ReplicaSetController } from "./replicaset-controller.js";
import { ResourceQuotaController } from "./resource-quota-controller.js";
import { Scheduler } from "./scheduler.js";
import { startWorkloadControllers } from "./workload-controllers.js";
import { nsKey } from "./work-queue.js";

/** Starts every controller on the store's change feed; returns a stop function. */
export function startControllers(registry: Registry, caCert: string): () => void {
  const deployments = new DeploymentController(
    registry,
    new EventRecorder(registry, "deployment-controller"),
  );
  const replicaSets = new ReplicaSetController(
    registry,
    new EventRecorder(registry, "replicaset-controller"),
  );
  const endpoints = new EndpointsController(registry);
  const namespaces = new NamespaceControllers(registry, caCert);
  const gc = new GarbageCollector(registry);
  const scheduler = new Scheduler(registry);
  const workloads = startWorkloadControllers(registry);
  const quotas = new ResourceQuotaController(registry);
  const disruption = new DisruptionController(registry);
  const all = [
    disruption,
    deployments,
    replicaSets,
    endpoints,
    namespaces,
    gc,
    scheduler,
    quotas,
    ...workloads.controllers,
  ];
  const unsubscribe = registry.store.subscribe((e) => {
    for (const c of all) c.onEvent(e);
  });
  const resync = (): void => {
    for (const ns of registry.list(resourceByPlural("", "namespaces"), undefined))
      namespaces.queue.add(ns.metadata.name ?? "");
    for (const d of registry.list(resourceByPlural("apps", "deployments"), undefined))
      deployments.queue.add(nsKey(d.metadata.namespace, d.metadata.name ?? ""));
    for (const r of registry.list(resourceByPlural("apps", "replicasets"), undefined))
      replicaSets.queue.add(nsKey(r.metadata.namespace, r.metadata.name ?? ""));
    for (const s of registry.list(resourceByPlural("", "services"), undefined))
      endpoints.queue.add(nsKey(s.metadata.namespace, s.metadata.name ?? ""));
    for (const ns of quotas.namespaces()) quotas.queue.add(ns);
    for (const p of registry.list(resourceByPlural("policy", "poddisruptionbudgets"), undefined))
      disruption.queue.add(nsKey(p.metadata.namespace, p.metadata.name ?? ""));
    workloads.resync();
  };
  resync();
  const timer = setInterval(resync, 10_000);
  return () => {
    clearInterval(timer);
    unsubscribe();
    for (const c of all) c.queue.stop();
  };
}
