import { isJsonObject, type JsonObject, type KubeObject } from "../shared/kube-object.js";
import type { FieldError } from "./http/api-error.js";
import { def, scaleSubresource, statusSubresource, type ResourceDef } from "./resource-table.js";

interface CrdVersion {
  name: string;
  served?: boolean;
  storage?: boolean;
  subresources?: {
    status?: JsonObject;
    scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string };
  };
}

interface CrdSpec {
  group: string;
  scope: "Namespaced" | "Cluster";
  names: { plural: string; singular?: string; kind: string; shortNames?: string[]; categories?: string[] };
  versions: CrdVersion[];
}

export function crdSpec(crd: KubeObject): CrdSpec {
  return (isJsonObject(crd.spec) ? crd.spec : {}) as unknown as CrdSpec;
}

/** The version a CRD stores its objects in. */
export function storageVersion(spec: CrdSpec): string {
  return (spec.versions.find((v) => v.storage) ?? spec.versions[0])?.name ?? "v1";
}

/**
 * The resources a CustomResourceDefinition serves: one per served version, all stored in the
 * storage version (conversion strategy None: only apiVersion changes, as the real server does).
 */
export function customResourceDefs(crd: KubeObject): ResourceDef[] {
  const spec = crdSpec(crd);
  const stored = storageVersion(spec);
  const n = spec.names;
  return spec.versions
    .filter((v) => v.served !== false)
    .map((v) => {
      const subs = v.subresources ?? {};
      const setVersion = (version: string) => (o: KubeObject) => ({
        ...o,
        apiVersion: `${spec.group}/${version}`,
      });
      return def(spec.group, v.name, n.kind, n.plural, spec.scope !== "Cluster", {
        singular: n.singular ?? n.kind.toLowerCase(),
        ...(n.shortNames?.length ? { shortNames: n.shortNames } : {}),
        ...(n.categories?.length ? { categories: n.categories } : {}),
        subresources: [
          ...(subs.status ? [statusSubresource] : []),
          ...(subs.scale ? [scaleSubresource] : []),
        ],
        ...(subs.scale ? { scalePaths: subs.scale } : {}),
        custom: true,
        ...(v.name !== stored
          ? { storage: { version: stored, toStorage: setVersion(stored), fromStorage: setVersion(v.name) } }
          : {}),
      });
    });
}

/** Checks of a CustomResourceDefinition that its name and versions make sense. */
export function validateCrd(crd: KubeObject): FieldError[] {
  const spec = crdSpec(crd);
  const errs: FieldError[] = [];
  if (!spec.group) errs.push({ type: "FieldValueRequired", field: "spec.group" });
  if (!spec.names?.plural || !spec.names.kind)
    errs.push({ type: "FieldValueInvalid", field: "spec.names", detail: "plural and kind are required" });
  else if (crd.metadata.name !== `${spec.names.plural}.${spec.group}`)
    errs.push({
      type: "FieldValueInvalid",
      field: "metadata.name",
      value: crd.metadata.name,
      detail: `must be spec.names.plural+"."+spec.group`,
    });
  if (!["Namespaced", "Cluster"].includes(spec.scope))
    errs.push({
      type: "FieldValueInvalid",
      field: "spec.scope",
      value: spec.scope,
      detail: 'supported values: "Cluster", "Namespaced"',
    });
  const versions = Array.isArray(spec.versions) ? spec.versions : [];
  if (!versions.length)
    errs.push({
      type: "FieldValueInvalid",
      field: "spec.versions",
      detail: "must have exactly one version marked as storage version",
    });
  else if (versions.filter((v) => v.storage).length !== 1)
    errs.push({
      type: "FieldValueInvalid",
      field: "spec.versions",
      detail: "must have exactly one version marked as storage version",
    });
  return errs;
}
