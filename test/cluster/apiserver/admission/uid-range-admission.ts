import type { V1PodSpec } from "@kubernetes/client-node";
import { forbidden } from "../http/api-error.js";
import { namespaceOf, type AdmissionPlugin } from "./admission.js";

/**
 * The UID part of OpenShift's security context constraints (restricted-v2): in a namespace
 * annotated `openshift.io/sa.scc.uid-range: FIRST/SIZE`, a container that sets no runAsUser (nor
 * does its pod) gets the range's first UID, and a pod whose UIDs leave the range is rejected.
 */
export const uidRangeAnnotation = "openshift.io/sa.scc.uid-range";

export function parseUidRange(value: string | undefined): { first: number; last: number } | undefined {
  const m = /^(\d+)\/(\d+)$/.exec(value ?? "");
  if (!m) return undefined;
  const first = Number(m[1]);
  return { first, last: first + Number(m[2]) - 1 };
}

export const uidRangeAdmission: AdmissionPlugin = (request) => {
  if (request.def.plural !== "pods" || request.def.group !== "") return;
  const range = parseUidRange(namespaceOf(request)?.metadata.annotations?.[uidRangeAnnotation]);
  if (!range) return;
  const spec = (request.object.spec ?? {}) as V1PodSpec;
  const errors: string[] = [];
  const check = (field: string, uid: number) => {
    if (uid < range.first || uid > range.last)
      errors.push(`${field}: Invalid value: ${uid}: must be in the ranges: [${range.first}, ${range.last}]`);
  };
  const podUid = spec.securityContext?.runAsUser;
  if (podUid !== undefined) check("spec.securityContext.runAsUser", podUid);
  for (const [kind, list] of [
    ["initContainers", spec.initContainers ?? []],
    ["containers", spec.containers ?? []],
  ] as const) {
    list.forEach((c, i) => {
      const uid = c.securityContext?.runAsUser;
      if (uid !== undefined) check(`spec.${kind}[${i}].securityContext.runAsUser`, uid);
      else if (podUid === undefined) c.securityContext = { ...c.securityContext, runAsUser: range.first };
    });
  }
  if (errors.length) {
    const name = request.object.metadata.name || request.object.metadata.generateName || "";
    throw forbidden(
      { group: "", resource: "pods" },
      name,
      `unable to validate against any security context constraint: [provider "restricted-v2": ${errors.join(", ")}]`,
    );
  }
};
