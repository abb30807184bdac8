import type { KubeObject } from "../../shared/kube-object.js";
import type { ResourceDef } from "../resource-table.js";
import type { ObjectStore } from "../store/object-store.js";

/** What an admission plugin sees of a create: the object (it may change it) and its namespace. */
export interface AdmissionRequest {
  def: ResourceDef;
  namespace: string | undefined;
  object: KubeObject;
  store: ObjectStore;
}

/**
 * An admission plugin: it may change the object (mutating), reject it by throwing an ApiError
 * (validating) or return warnings for the response's Warning headers.
 */
export type AdmissionPlugin = (request: AdmissionRequest) => string[] | void;

/** Runs the plugins in order and gathers their warnings. */
export function admit(plugins: AdmissionPlugin[], request: AdmissionRequest): string[] {
  const warnings: string[] = [];
  for (const plugin of plugins) warnings.push(...(plugin(request) ?? []));
  return warnings;
}

/** The namespace object of a request, when it exists. */
export function namespaceOf(request: AdmissionRequest): KubeObject | undefined {
  return request.namespace ? request.store.get("/namespaces", undefined, request.namespace) : undefined;
}

/** The name admission errors give an object: its name, else its generateName (not yet resolved). */
export function admissionName(object: KubeObject): string {
  return object.metadata.name || object.metadata.generateName || "Unknown";
}

/** utilerrors.NewAggregate(errs).Error(): one message alone, several deduplicated in brackets. */
export function aggregateMessage(messages: string[]): string {
  const unique = [...new Set(messages)];
  return unique.length === 1 ? unique[0]! : `[${unique.join(", ")}]`;
}
