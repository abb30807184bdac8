import { PassThrough, Writable } from "node:stream";
import { Exec, PortForward, Watch, type V1Pod, type V1Status } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appManifest } from "../cluster/apiserver/testing/app-manifest.js";
import {
  clients,
  isReady,
  kubectlOk,
  statusOf,
  waitFor,
  withNamespace,
} from "../cluster/apiserver/testing/cluster-access.js";

const { kc, core, apps } = clients();
let ns = "";
let removeNs: () => Promise<void> = async () => {};
let pod = "";

function collector(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  return {
    stream: new Writable({ write: (c: Buffer, _e, cb) => (chunks.push(c), cb()) }),
    text: () => Buffer.concat(chunks).toString("utf8"),
  };
}

beforeAll(async () => {
  ({ name: ns, remove: removeNs } = await withNamespace("client"));
  await kubectlOk(["apply", "-n", ns, "-f", "-"], appManifest("echo", 1));
  await kubectlOk(["rollout", "status", "-n", ns, "deployment/echo", "--timeout=60s"]);
  const pods = await core.listNamespacedPod({ namespace: ns, labelSelector: "app=echo" });
  pod = pods.items[0]!.metadata!.name!;
});
afterAll(async () => {
  await removeNs();
});

describe("test cluster API with @kubernetes/client-node", () => {
  it("watches changes from a resourceVersion and answers 410 for a too old one", async () => {
    const list = await core.listNamespacedConfigMap({ namespace: ns });
    const events: string[] = [];
    const watch = new Watch(kc);
    let ended: unknown = "running";
    const ctl = await watch.watch(
      `/api/v1/namespaces/${ns}/configmaps`,
      { resourceVersion: list.metadata!.resourceVersion!, allowWatchBookmarks: true },
      (type, obj: { metadata: { name: string } }) => {
        if (type !== "BOOKMARK") events.push(`${type} ${obj.metadata.name}`);
      },
      (err) => (ended = err),
    );
    const created = await core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: "w" }, data: { a: "1" } },
    });
    await core.replaceNamespacedConfigMap({
      namespace: ns,
      name: "w",
      body: { ...created, data: { a: "2" } },
    });
    await core.deleteNamespacedConfigMap({ namespace: ns, name: "w" });
    await waitFor("three events", async () => events.length >= 3, 5_000);
    ctl.abort();
    expect(events).toEqual(["ADDED w", "MODIFIED w", "DELETED w"]);
    void ended;

    const errors: V1Status[] = [];
    await new Promise<void>((resolve) => {
      void watch.watch(
        `/api/v1/namespaces/${ns}/configmaps`,
        { resourceVersion: "1" },
        (type, obj: V1Status) => {
          if (type === "ERROR") errors.push(obj);
        },
        () => resolve(),
      );
    });
    expect(errors[0]).toMatchObject({ kind: "Status", code: 410, reason: "Expired" });
    expect(errors[0]!.message).toMatch(/^too old resource version: 1 \(\d+\)$/);
  });

  it("answers a stale update with 409 Conflict and a real server's message", async () => {
    const cm = await core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: "cas" }, data: { v: "1" } },
    });
    await core.replaceNamespacedConfigMap({ namespace: ns, name: "cas", body: { ...cm, data: { v: "2" } } });
    const err = await core
      .replaceNamespacedConfigMap({ namespace: ns, name: "cas", body: { ...cm, data: { v: "3" } } })
      .catch((e: unknown) => e);
    expect(statusOf(err)).toEqual({
      code: 409,
      reason: "Conflict",
      message:
        'Operation cannot be fulfilled on configmaps "cas": the object has been modified; please apply your changes to the latest version and try again',
    });
    const missing = await apps
      .readNamespacedDeployment({ namespace: ns, name: "nope" })
      .catch((e: unknown) => e);
    expect(statusOf(missing)).toEqual({
      code: 404,
      reason: "NotFound",
      message: 'deployments.apps "nope" not found',
    });
  });

  it("execs with stdout, stderr and the exit status", async () => {
    const out = collector();
    const errOut = collector();
    const status = await new Promise<V1Status>((resolve, reject) => {
      new Exec(kc)
        .exec(
          ns,
          pod,
          "echo",
          ["sh", "-c", "echo to-out; echo to-err >&2; exit 7"],
          out.stream,
          errOut.stream,
          null,
          false,
          resolve,
        )
        .catch(reject);
    });
    expect(out.text()).toBe("to-out\n");
    expect(errOut.text()).toBe("to-err\n");
    expect(status).toMatchObject({
      status: "Failure",
      reason: "NonZeroExitCode",
      details: { causes: [{ reason: "ExitCode", message: "7" }] },
    });
    const ok = await new Promise<V1Status>((resolve, reject) => {
      new Exec(kc).exec(ns, pod, "echo", ["true"], null, null, null, false, resolve).catch(reject);
    });
    expect(ok.status).toBe("Success");
  });

  it("port-forwards to the server in the pod", async () => {
    const input = new PassThrough();
    const out = collector();
    const ws = await new PortForward(kc).portForward(ns, pod, [8080], out.stream, null, input);
    input.write("GET /through-forward HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    const text = await waitFor(
      "the HTTP answer",
      async () => (out.text().includes("through-forward") ? out.text() : undefined),
      10_000,
    );
    expect(text).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(text).toContain(`"hostname":"${pod}"`);
    if (typeof ws !== "function") ws.close();
  });

  it("takes a pod from create to Ready quickly", async () => {
    const started = Date.now();
    await core.createNamespacedPod({
      namespace: ns,
      body: {
        metadata: { name: "quick" },
        spec: {
          terminationGracePeriodSeconds: 1,
          containers: [{ name: "main", image: "tp-test-busybox:local", command: ["sleep", "3600"] }],
        },
      },
    });
    const ready: V1Pod = await waitFor(
      "pod quick to be Ready",
      async () => {
        const p = await core.readNamespacedPod({ namespace: ns, name: "quick" });
        return isReady(p) ? p : undefined;
      },
      20_000,
    );
    const ms = Date.now() - started;
    console.log(`pod create → Ready: ${ms} ms`);
    expect(ready.spec?.nodeName).toBe("tp-test-node");
    expect(ready.spec?.serviceAccountName).toBe("default");
    expect(ready.status?.conditions?.map((c) => c.type)).toContain("PodScheduled");
    expect(ms).toBeLessThan(10_000);
  });

  it("lists with label and field selectors", async () => {
    const byLabel = await core.listNamespacedPod({
      namespace: ns,
      labelSelector: "app in (echo,other),!absent",
    });
    expect(byLabel.items.map((p) => p.metadata!.name)).toEqual([pod]);
    const none = await core.listNamespacedPod({ namespace: ns, labelSelector: "app notin (echo)" });
    expect(none.items.map((p) => p.metadata!.name)).not.toContain(pod);
    const running = await core.listPodForAllNamespaces({
      fieldSelector: `metadata.namespace=${ns},status.phase=Running,spec.nodeName=tp-test-node`,
    });
    expect(running.items.map((p) => p.metadata!.name)).toContain(pod);
    const bad = await core
      .listNamespacedPod({ namespace: ns, fieldSelector: "spec.image=x" })
      .catch((e: unknown) => e);
    expect(statusOf(bad)).toMatchObject({
      code: 400,
      reason: "BadRequest",
      message: "field label not supported: spec.image",
    });
  });
});
