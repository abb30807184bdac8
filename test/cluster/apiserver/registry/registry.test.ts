import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../shared/kube-object.js";
import { ApiError } from "../http/api-error.js";
import { resourceByPlural } from "../resource-table.js";
import { ObjectStore } from "../store/object-store.js";
import { Registry } from "./registry.js";

const nsDef = resourceByPlural("", "namespaces");
const cmDef = resourceByPlural("", "configmaps");
const podDef = resourceByPlural("", "pods");
const saDef = resourceByPlural("", "serviceaccounts");
const deployDef = resourceByPlural("apps", "deployments");

function registry(): Registry {
  const reg = new Registry(new ObjectStore());
  reg.create(nsDef, undefined, { metadata: { name: "n" } });
  reg.create(saDef, "n", { metadata: { name: "default" } });
  return reg;
}

function apiError(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error("no error");
}

describe("registry", () => {
  it("fills uid, creationTimestamp and resourceVersion, and refuses a duplicate", () => {
    const reg = registry();
    const cm = reg.create(cmDef, "n", { metadata: { name: "c" }, data: { a: "1" } });
    expect(cm).toMatchObject({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "c", namespace: "n" },
    });
    expect(cm.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(cm.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const dup = apiError(() => reg.create(cmDef, "n", { metadata: { name: "c" } }));
    expect(dup.toStatus()).toMatchObject({
      code: 409,
      reason: "AlreadyExists",
      message: 'configmaps "c" already exists',
    });
    const noNs = apiError(() => reg.create(cmDef, "missing", { metadata: { name: "c" } }));
    expect(noNs.message).toBe('namespaces "missing" not found');
  });

  it("rejects a stale update with 409 and leaves an unchanged object's resourceVersion alone", () => {
    const reg = registry();
    const cm = reg.create(cmDef, "n", { metadata: { name: "c" }, data: { a: "1" } });
    const same = reg.update(cmDef, "n", "c", structuredClone(cm)).object;
    expect(same.metadata.resourceVersion).toBe(cm.metadata.resourceVersion);
    reg.update(cmDef, "n", "c", { ...structuredClone(cm), data: { a: "2" } });
    const stale = apiError(() => reg.update(cmDef, "n", "c", { ...structuredClone(cm), data: { a: "3" } }));
    expect(stale.toStatus()).toMatchObject({
      code: 409,
      reason: "Conflict",
      message:
        'Operation cannot be fulfilled on configmaps "c": the object has been modified; please apply your changes to the latest version and try again',
      details: { name: "c", kind: "configmaps" },
    });
  });

  it("bumps generation on spec changes only and keeps status on a main-resource update", () => {
    const reg = registry();
    const d = reg.create(deployDef, "n", {
      metadata: { name: "d" },
      spec: {
        selector: { matchLabels: { a: "b" } },
        template: { metadata: { labels: { a: "b" } }, spec: { containers: [{ name: "c", image: "i" }] } },
      },
    });
    expect(d.metadata.generation).toBe(1);
    reg.update(
      deployDef,
      "n",
      "d",
      { ...structuredClone(d), status: { replicas: 5 } },
      { subresource: "status" },
    );
    const cur = reg.get(deployDef, "n", "d");
    const labelled = reg.update(deployDef, "n", "d", {
      ...cur,
      metadata: { ...cur.metadata, labels: { x: "y" } },
      status: {},
    }).object;
    expect(labelled.metadata.generation).toBe(1);
    expect(labelled.status).toEqual({ replicas: 5 });
    const scaled = reg.update(deployDef, "n", "d", {
      ...labelled,
      spec: { ...(labelled.spec as object), replicas: 3 },
    }).object;
    expect(scaled.metadata.generation).toBe(2);
  });

  it("names the invalid field in a 422", () => {
    const reg = registry();
    const err = apiError(() =>
      reg.create(podDef, "n", { metadata: { name: "p" }, spec: { containers: [{ name: "m" }] } }),
    );
    expect(err.toStatus()).toMatchObject({
      code: 422,
      reason: "Invalid",
      message: 'Pod "p" is invalid: spec.containers[0].image: Required value',
      details: {
        name: "p",
        kind: "Pod",
        causes: [{ reason: "FieldValueRequired", field: "spec.containers[0].image" }],
      },
    });
  });

  it("deletes a scheduled pod gracefully and an unscheduled one at once", () => {
    const reg = registry();
    const spec = { containers: [{ name: "m", image: "i" }] };
    reg.create(podDef, "n", { metadata: { name: "on-node" }, spec: { ...spec, nodeName: "tp-test-node" } });
    reg.create(podDef, "n", { metadata: { name: "pending" }, spec });
    const graceful = reg.delete(podDef, "n", "on-node", {});
    expect(graceful.deleted).toBe(false);
    expect(graceful.object.metadata.deletionGracePeriodSeconds).toBe(30);
    expect(reg.delete(podDef, "n", "on-node", { gracePeriodSeconds: 0 }).deleted).toBe(true);
    expect(reg.delete(podDef, "n", "pending", {}).deleted).toBe(true);
  });

  it("keeps an object with finalizers until the last one is removed", () => {
    const reg = registry();
    reg.create(cmDef, "n", { metadata: { name: "f", finalizers: ["x/y"] } });
    const r = reg.delete(cmDef, "n", "f", {});
    expect(r.deleted).toBe(false);
    expect(r.object.metadata.deletionTimestamp).toBeTruthy();
    const cur = reg.get(cmDef, "n", "f");
    reg.update(cmDef, "n", "f", { ...cur, metadata: { ...cur.metadata, finalizers: [] } } as KubeObject);
    expect(reg.find(cmDef, "n", "f")).toBeUndefined();
  });

  it("mounts the service account token through the admission-made projected volume", () => {
    const reg = registry();
    const pod = reg.create(podDef, "n", {
      metadata: { name: "p" },
      spec: { containers: [{ name: "m", image: "i:1" }] },
    });
    const spec = pod.spec as {
      volumes: { name: string; projected?: unknown }[];
      containers: { volumeMounts: { mountPath: string }[]; imagePullPolicy: string }[];
    };
    expect(spec.volumes[0]!.name).toMatch(/^kube-api-access-[a-z0-9]{5}$/);
    expect(spec.containers[0]!.volumeMounts[0]!.mountPath).toBe(
      "/var/run/secrets/kubernetes.io/serviceaccount",
    );
    expect(spec.containers[0]!.imagePullPolicy).toBe("IfNotPresent");
    expect(pod.status).toEqual({ phase: "Pending", qosClass: "BestEffort" });
  });
});
