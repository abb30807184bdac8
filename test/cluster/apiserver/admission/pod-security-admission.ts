import type { V1ObjectMeta, V1PodSpec } from "@kubernetes/client-node";
import { isJsonObject, type JsonObject } from "../../shared/kube-object.js";
import { forbidden } from "../http/api-error.js";
import { namespaceOf, type AdmissionPlugin } from "./admission.js";
import { evaluatePod, forbiddenDetail, type Level } from "./pod-security-checks.js";

/**
 * Pod Security Admission from namespace labels, as the built-in PodSecurity plugin does it:
 * `pod-security.kubernetes.io/enforce` rejects pods that break the level; `warn` answers with a
 * Warning header, for pods and for the pod templates of workloads (which enforce never rejects).
 */
const labelPrefix = "pod-security.kubernetes.io/";
const levels: Level[] = ["privileged", "baseline", "restricted"];

interface LevelVersion {
  level: Level;
  version: string;
}

function policyOf(labels: Record<string, string>, mode: "enforce" | "warn"): LevelVersion {
  const raw = labels[`${labelPrefix}${mode}`];
  const level = levels.includes(raw as Level) ? (raw as Level) : "privileged";
  return { level, version: labels[`${labelPrefix}${mode}-version`] || "latest" };
}

/** The pod metadata and spec of a pod or of a workload's pod template. */
function podParts(plural: string, obj: JsonObject): { meta: V1ObjectMeta; spec: V1PodSpec } | undefined {
  if (plural === "pods") return { meta: obj.metadata as V1ObjectMeta, spec: (obj.spec ?? {}) as V1PodSpec };
  const spec = isJsonObject(obj.spec) ? obj.spec : {};
  const jobTemplate = isJsonObject(spec.jobTemplate) ? spec.jobTemplate : undefined;
  const holder =
    plural === "cronjobs" && jobTemplate && isJsonObject(jobTemplate.spec) ? jobTemplate.spec : spec;
  const template = plural === "podtemplates" ? obj.template : holder.template;
  if (!isJsonObject(template)) return undefined;
  return { meta: (template.metadata ?? {}) as V1ObjectMeta, spec: (template.spec ?? {}) as V1PodSpec };
}

const workloads = new Set([
  "deployments",
  "replicasets",
  "statefulsets",
  "daemonsets",
  "jobs",
  "cronjobs",
  "replicationcontrollers",
  "podtemplates",
]);

export const podSecurityAdmission: AdmissionPlugin = (request) => {
  const { def, object } = request;
  const isPod = def.plural === "pods" && def.group === "";
  if (!isPod && !workloads.has(def.plural)) return;
  const labels = namespaceOf(request)?.metadata.labels ?? {};
  const parts = podParts(def.plural, object);
  if (!parts) return;
  if (isPod) {
    const enforce = policyOf(labels, "enforce");
    const failed = evaluatePod(enforce.level, parts.meta, parts.spec);
    if (failed.length) {
      const name = object.metadata.name || object.metadata.generateName || "";
      throw forbidden(
        { group: "", resource: "pods" },
        name,
        `violates PodSecurity "${enforce.level}:${enforce.version}": ${forbiddenDetail(failed)}`,
      );
    }
  }
  const warn = policyOf(labels, "warn");
  const failed = evaluatePod(warn.level, parts.meta, parts.spec);
  return failed.length
    ? [`would violate PodSecurity "${warn.level}:${warn.version}": ${forbiddenDetail(failed)}`]
    : [];
};
