import type { KubeObject } from "../../shared/kube-object.js";
import type { ResourceDef } from "../resource-table.js";
import {
  configMapPrinter,
  defaultPrinter,
  endpointSlicePrinter,
  endpointsPrinter,
  eventPrinter,
  leasePrinter,
  namespacePrinter,
  nodePrinter,
  secretPrinter,
  serviceAccountPrinter,
  servicePrinter,
} from "./core-printers.js";
import { podPrinter } from "./pod-printer.js";
import { limitRangePrinter, resourceQuotaPrinter } from "./quota-printers.js";
import {
  crdPrinter,
  persistentVolumeClaimPrinter,
  persistentVolumePrinter,
  statefulSetPrinter,
} from "./storage-printers.js";
import type { Printer } from "./table-types.js";
import {
  ingressClassPrinter,
  ingressPrinter,
  networkPolicyPrinter,
  podDisruptionBudgetPrinter,
  priorityClassPrinter,
  storageClassPrinter,
} from "./network-printers.js";
import { deploymentPrinter, hpaPrinter, replicaSetPrinter } from "./workload-printers.js";

const printers: Record<string, Printer> = {
  "/pods": podPrinter,
  "/services": servicePrinter,
  "/endpoints": endpointsPrinter,
  "/configmaps": configMapPrinter,
  "/secrets": secretPrinter,
  "/namespaces": namespacePrinter,
  "/serviceaccounts": serviceAccountPrinter,
  "/nodes": nodePrinter,
  "/events": eventPrinter,
  "/resourcequotas": resourceQuotaPrinter,
  "/limitranges": limitRangePrinter,
  "apps/deployments": deploymentPrinter,
  "apps/replicasets": replicaSetPrinter,
  "apps/statefulsets": statefulSetPrinter,
  "/persistentvolumeclaims": persistentVolumeClaimPrinter,
  "/persistentvolumes": persistentVolumePrinter,
  "apiextensions.k8s.io/customresourcedefinitions": crdPrinter,
  "coordination.k8s.io/leases": leasePrinter,
  "discovery.k8s.io/endpointslices": endpointSlicePrinter,
  "autoscaling/horizontalpodautoscalers": hpaPrinter,
  "networking.k8s.io/networkpolicies": networkPolicyPrinter,
  "networking.k8s.io/ingresses": ingressPrinter,
  "networking.k8s.io/ingressclasses": ingressClassPrinter,
  "policy/poddisruptionbudgets": podDisruptionBudgetPrinter,
  "scheduling.k8s.io/priorityclasses": priorityClassPrinter,
  "storage.k8s.io/storageclasses": storageClassPrinter,
};

export type IncludeObject = "None" | "Metadata" | "Object";

export function partialMetadata(o: KubeObject): KubeObject {
  return { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: o.metadata };
}

/** A meta.k8s.io/v1 Table of the objects, as the server-side printers make it for kubectl get. */
export function toTable(
  def: ResourceDef,
  objects: KubeObject[],
  listMeta: Record<string, unknown>,
  include: IncludeObject,
  noHeaders = false,
): Record<string, unknown> {
  const p = printers[`${def.group}/${def.plural}`] ?? defaultPrinter;
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata: listMeta,
    columnDefinitions: noHeaders ? null : p.columns,
    rows: objects.map((o) => {
      const row: Record<string, unknown> = { cells: p.row(o) };
      if (include === "Object") row.object = o;
      else if (include === "Metadata") row.object = partialMetadata(o);
      return row;
    }),
  };
}
