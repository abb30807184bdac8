import type { KubeObject } from "../../shared/kube-object.js";
import { ApiError } from "../http/api-error.js";
import type { Registry } from "../registry/registry.js";
import { resourceByPlural, type ResourceDef } from "../resource-table.js";

/** For unit tests: create in namespace "ns"; "admitted", or the refusal as "CODE message". */
export function outcome(
  reg: Registry,
  obj: KubeObject,
  def: ResourceDef = resourceByPlural("", "pods"),
): string {
  try {
    reg.create(def, "ns", obj);
  } catch (err) {
    if (err instanceof ApiError) return `${err.code} ${err.message}`;
    throw err;
  }
  return "admitted";
}
