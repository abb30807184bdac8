import { describe, expect, it } from "vitest";
import { deploymentRef } from "../contract/workload-ref.js";
import { podIdentity } from "./pod-identity.js";
import { checkNotOwned, parseWorkload } from "./workloads.js";

describe("parseWorkload", () => {
  it("takes NAME, KIND/NAME and a container", () => {
    expect(parseWorkload("web")).toEqual({ name: "web" });
    expect(parseWorkload("web:app")).toEqual({ name: "web", container: "app" });
    expect(parseWorkload("statefulset/db:db")).toEqual({ type: "statefulset", name: "db", container: "db" });
    expect(parseWorkload("rollouts.argoproj.io/web")).toEqual({ type: "rollouts.argoproj.io", name: "web" });
    expect(() => parseWorkload("a/b/c")).toThrow(/KIND/);
  });
});

const sts = {
  ref: { group: "apps", version: "v1", resource: "statefulsets", kind: "StatefulSet", name: "db" },
  object: {
    spec: {
      replicas: 2,
      serviceName: "db-headless",
      volumeClaimTemplates: [{ metadata: { name: "data" } }],
      template: { spec: { containers: [{ name: "db" }], volumes: [{ name: "data", emptyDir: {} }] } },
    },
  },
};

describe("podIdentity", () => {
  it("gives the proxy of a StatefulSet the replica's hostname, subdomain and claims", () => {
    const identity = podIdentity(sts, 1);
    expect(identity?.replicaPod).toBe("db-1");
    const pod = {
      metadata: { labels: { app: "db" } },
      spec: { containers: [], volumes: [{ name: "data", emptyDir: {} }] },
    };
    identity?.apply(pod);
    expect(pod.spec).toMatchObject({
      hostname: "db-1",
      subdomain: "db-headless",
      volumes: [{ name: "data", persistentVolumeClaim: { claimName: "data-db-1" } }],
    });
    expect(pod.metadata.labels).toMatchObject({ "statefulset.kubernetes.io/pod-name": "db-1" });
  });

  it("refuses a replica the StatefulSet does not have, and --replica for other kinds", () => {
    expect(() => podIdentity(sts, 2)).toThrow(/--replica takes 0 to 1/);
    expect(podIdentity({ ref: deploymentRef("web"), object: {} }, undefined)).toBeUndefined();
    expect(() => podIdentity({ ref: deploymentRef("web"), object: {} }, 0)).toThrow(/for StatefulSets/);
  });
});

describe("checkNotOwned", () => {
  it("names the controller of a managed workload", () => {
    const owned = {
      ref: { group: "apps", version: "v1", resource: "replicasets", kind: "ReplicaSet", name: "web-7d9" },
      object: {
        metadata: {
          ownerReferences: [
            { apiVersion: "apps/v1", kind: "Deployment", name: "web", uid: "u", controller: true },
          ],
        },
      },
    };
    expect(() => checkNotOwned(owned, "ns")).toThrow(/replicaset ns\/web-7d9 is managed by deployment web/);
  });
});
