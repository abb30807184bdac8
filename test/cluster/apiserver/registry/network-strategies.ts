// Strategies of the kinds the test cluster keeps but does not act on (NetworkPolicy, Ingress,
// PodDisruptionBudget, PriorityClass, StorageClass): the defaults and the checks of their types in
// k8s.io/kubernetes (pkg/apis/*/v1/defaults.go, pkg/registry), so that what kubectl reads back is
// what a real server stores.
import { isDeepStrictEqual } from "node:util";
import {
  isJsonObject,
  type JsonObject,
  asObject as obj,
  asObjects as list,
} from "../../shared/kube-object.js";
import type { FieldError } from "../http/api-error.js";
import type { Strategy } from "./strategy.js";

function defaultNetworkPolicy(o: JsonObject): void {
  const spec = obj(o.spec);
  spec.podSelector ??= {};
  for (const rule of [...list(spec.ingress), ...list(spec.egress)])
    for (const port of list(rule.ports)) port.protocol ??= "TCP";
  const types = Array.isArray(spec.policyTypes) ? spec.policyTypes : [];
  if (types.length === 0) spec.policyTypes = ["Ingress", ...(list(spec.egress).length ? ["Egress"] : [])];
  o.spec = spec;
}

export const networkPolicyStrategy: Strategy = {
  tracksGeneration: true,
  decodeDefaults: (o) => defaultNetworkPolicy(o),
};

export const ingressStrategy: Strategy = {
  tracksGeneration: true,
  hasStatus: true,
  prepareForCreate: (o) => void (o.status = { loadBalancer: {} }),
  validate(o) {
    const errs: FieldError[] = [];
    list(obj(o.spec).rules).forEach((rule, i) =>
      list(obj(rule.http).paths).forEach((path, j) => {
        const field = `spec.rules[${i}].http.paths[${j}].pathType`;
        if (path.pathType === undefined)
          errs.push({ type: "FieldValueRequired", field, detail: "pathType must be specified" });
        else if (!["Exact", "Prefix", "ImplementationSpecific"].includes(String(path.pathType)))
          errs.push({
            type: "FieldValueNotSupported",
            field,
            value: path.pathType,
            detail: 'supported values: "Exact", "ImplementationSpecific", "Prefix"',
          });
      }),
    );
    return errs;
  },
};

export const podDisruptionBudgetStrategy: Strategy = {
  tracksGeneration: true,
  hasStatus: true,
  prepareForCreate: (o) =>
    void (o.status = { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 }),
  validate(o) {
    const spec = obj(o.spec);
    return spec.minAvailable !== undefined && spec.maxUnavailable !== undefined
      ? [
          {
            type: "FieldValueInvalid",
            field: "spec",
            value: spec,
            detail: "minAvailable and maxUnavailable cannot be both set",
          },
        ]
      : [];
  },
};

const forbidden = (field: string, detail: string): FieldError => ({
  type: "FieldValueForbidden",
  field,
  detail,
});
const immutable = (field: string, value: unknown): FieldError => ({
  type: "FieldValueInvalid",
  field,
  value,
  detail: "field is immutable",
});
const same = (a: unknown, b: unknown) => isDeepStrictEqual(a ?? null, b ?? null);

export const priorityClassStrategy: Strategy = {
  decodeDefaults: (o) => void (o.preemptionPolicy ??= "PreemptLowerPriority"),
  validateUpdate: (o, old) => [
    ...(same(o.value ?? 0, old.value ?? 0) ? [] : [forbidden("value", "may not be changed in an update.")]),
    ...(same(o.preemptionPolicy, old.preemptionPolicy)
      ? []
      : [immutable("preemptionPolicy", o.preemptionPolicy)]),
  ],
};

export const storageClassStrategy: Strategy = {
  decodeDefaults(o) {
    o.reclaimPolicy ??= "Delete";
    o.volumeBindingMode ??= "Immediate";
  },
  validate: (o) =>
    typeof o.provisioner === "string" && o.provisioner
      ? []
      : [{ type: "FieldValueRequired", field: "provisioner", detail: "" }],
  validateUpdate: (o, old) => [
    ...(same(o.parameters, old.parameters)
      ? []
      : [forbidden("parameters", "updates to parameters are forbidden.")]),
    ...(same(o.provisioner, old.provisioner)
      ? []
      : [forbidden("provisioner", "updates to provisioner are forbidden.")]),
    ...(same(o.reclaimPolicy, old.reclaimPolicy)
      ? []
      : [forbidden("reclaimPolicy", "updates to reclaimPolicy are forbidden.")]),
    ...(same(o.volumeBindingMode, old.volumeBindingMode)
      ? []
      : [immutable("volumeBindingMode", o.volumeBindingMode)]),
  ],
};

export const ingressClassStrategy: Strategy = {
  tracksGeneration: true,
  decodeDefaults(o) {
    const parameters = obj(o.spec).parameters;
    if (isJsonObject(parameters)) parameters.scope ??= "Cluster";
  },
};
