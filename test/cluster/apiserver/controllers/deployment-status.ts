import { isJsonObject, kubeNow, type JsonObject, type KubeObject } from "../../shared/kube-object.js";
import { replicasOf, statusNum, surgeAndUnavailable } from "./deployment-math.js";

function condition(
  old: JsonObject[],
  type: string,
  status: string,
  reason: string,
  message: string,
): JsonObject {
  const now = kubeNow();
  const prev = old.find((c) => c.type === type);
  const sameStatus = prev?.status === status;
  const sameAll = sameStatus && prev?.reason === reason && prev?.message === message;
  return {
    type,
    status,
    lastUpdateTime: sameAll ? prev!.lastUpdateTime : now,
    lastTransitionTime: sameStatus ? prev!.lastTransitionTime : now,
    reason,
    message,
  };
}

/** The Deployment's status from its ReplicaSets (sync.go calculateStatus and progress.go). */
export function deploymentStatus(
  d: KubeObject,
  newRs: KubeObject | undefined,
  all: KubeObject[],
): JsonObject {
  const old: JsonObject = isJsonObject(d.status) ? d.status : {};
  const oldConds = Array.isArray(old.conditions) ? old.conditions.filter(isJsonObject) : [];
  const desired = replicasOf(d);
  const sum = (f: string): number => all.reduce((n, rs) => n + statusNum(rs, f), 0);
  const replicas = sum("replicas");
  const updated = statusNum(newRs, "replicas");
  const ready = sum("readyReplicas");
  const available = sum("availableReplicas");
  const { maxUnavailable } = surgeAndUnavailable(d);
  const spec: JsonObject = isJsonObject(d.spec) ? d.spec : {};
  const availableCond =
    available >= desired - maxUnavailable
      ? condition(
          oldConds,
          "Available",
          "True",
          "MinimumReplicasAvailable",
          "Deployment has minimum availability.",
        )
      : condition(
          oldConds,
          "Available",
          "False",
          "MinimumReplicasUnavailable",
          "Deployment does not have minimum availability.",
        );
  const rsName = newRs?.metadata.name ?? "";
  let progressing: JsonObject;
  const complete =
    newRs !== undefined &&
    updated === desired &&
    replicas === desired &&
    available === desired &&
    replicasOf(newRs) === desired;
  if (spec.paused)
    progressing = condition(oldConds, "Progressing", "Unknown", "DeploymentPaused", "Deployment is paused");
  else if (complete)
    progressing = condition(
      oldConds,
      "Progressing",
      "True",
      "NewReplicaSetAvailable",
      `ReplicaSet "${rsName}" has successfully progressed.`,
    );
  else {
    const prev = oldConds.find((c) => c.type === "Progressing");
    progressing =
      prev &&
      prev.status === "True" &&
      rsName &&
      String(prev.message).includes(rsName) &&
      prev.reason !== "NewReplicaSetAvailable"
        ? {
            ...condition(
              oldConds,
              "Progressing",
              "True",
              "ReplicaSetUpdated",
              `ReplicaSet "${rsName}" is progressing.`,
            ),
            lastUpdateTime: kubeNow(),
          }
        : condition(
            oldConds,
            "Progressing",
            "True",
            prev ? "ReplicaSetUpdated" : "NewReplicaSetCreated",
            prev ? `ReplicaSet "${rsName}" is progressing.` : `Created new replica set "${rsName}"`,
          );
    if (prev && prev.reason === progressing.reason && prev.message === progressing.message)
      progressing.lastUpdateTime = prev.lastUpdateTime;
  }
  const status: JsonObject = {
    observedGeneration: d.metadata.generation ?? 1,
    replicas,
    updatedReplicas: updated,
    readyReplicas: ready,
    availableReplicas: available,
    unavailableReplicas: Math.max(0, desired - available),
    conditions: [availableCond, progressing],
  };
  // A ReplicaSet's ReplicaFailure (a pod it could not create) shows on the Deployment.
  const failure = [newRs, ...all]
    .map((rs) =>
      isJsonObject(rs?.status) && Array.isArray(rs.status.conditions) ? rs.status.conditions : [],
    )
    .flat()
    .find((c) => isJsonObject(c) && c.type === "ReplicaFailure") as JsonObject | undefined;
  if (failure)
    (status.conditions as JsonObject[]).push({
      type: "ReplicaFailure",
      status: failure.status,
      lastUpdateTime: failure.lastTransitionTime,
      lastTransitionTime: failure.lastTransitionTime,
      reason: failure.reason,
      message: failure.message,
    });
  if (old.collisionCount !== undefined) status.collisionCount = old.collisionCount;
  for (const k of [
    "replicas",
    "updatedReplicas",
    "readyReplicas",
    "availableReplicas",
    "unavailableReplicas",
  ])
    if (!status[k]) delete status[k];
  return status;
}
