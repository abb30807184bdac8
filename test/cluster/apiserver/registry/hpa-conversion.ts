import { isJsonObject, type JsonObject, type KubeObject } from "../../shared/kube-object.js";

/** autoscaling/v1 HorizontalPodAutoscaler ↔ the stored autoscaling/v2 form (CPU utilization only). */
export function hpaV1ToV2(o: KubeObject): KubeObject {
  const spec: JsonObject = isJsonObject(o.spec) ? { ...o.spec } : {};
  const cpu = spec.targetCPUUtilizationPercentage;
  delete spec.targetCPUUtilizationPercentage;
  if (typeof cpu === "number")
    spec.metrics = [
      {
        type: "Resource",
        resource: { name: "cpu", target: { type: "Utilization", averageUtilization: cpu } },
      },
    ];
  const status: JsonObject = isJsonObject(o.status) ? { ...o.status } : {};
  delete status.currentCPUUtilizationPercentage;
  return { ...o, apiVersion: "autoscaling/v2", spec, ...(o.status !== undefined ? { status } : {}) };
}

export function hpaV2ToV1(o: KubeObject): KubeObject {
  const spec: JsonObject = isJsonObject(o.spec) ? { ...o.spec } : {};
  const metrics = Array.isArray(spec.metrics) ? spec.metrics.filter(isJsonObject) : [];
  delete spec.metrics;
  delete spec.behavior;
  const cpu = metrics.find(
    (m) => m.type === "Resource" && isJsonObject(m.resource) && m.resource.name === "cpu",
  );
  const target =
    cpu && isJsonObject(cpu.resource) && isJsonObject(cpu.resource.target) ? cpu.resource.target : undefined;
  if (typeof target?.averageUtilization === "number")
    spec.targetCPUUtilizationPercentage = target.averageUtilization;
  const status: JsonObject = isJsonObject(o.status) ? { ...o.status } : {};
  delete status.currentMetrics;
  delete status.conditions;
  return { ...o, apiVersion: "autoscaling/v1", spec, ...(o.status !== undefined ? { status } : {}) };
}
