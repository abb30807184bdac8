import { RbacAuthorizationV1Api, type V1Pod } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  clients,
  clusterConfig,
  kubectl,
  kubectlOk,
  statusOf,
  waitFor,
  withNamespace,
} from "../cluster/apiserver/testing/cluster-access.js";

const { core, apps } = clients();
let ns = "";
let removeNs: () => Promise<void> = async () => {};

beforeAll(async () => {
  ({ name: ns, remove: removeNs } = await withNamespace("semantics"));
});
afterAll(async () => {
  await removeNs();
});

const sleeper = (name: string, replicas: number, image = "tp-test-busybox:local") => ({
  metadata: { name },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [{ name: "main", image, command: ["sleep", "3600"] }],
      },
    },
  },
});

async function names(kind: string, selector: string): Promise<string[]> {
  const out = await kubectlOk(["get", kind, "-n", ns, "-l", selector, "-o", "name"]);
  return out.split("\n").filter(Boolean);
}

describe("test cluster API semantics", () => {
  it("rolls a template change out to a new ReplicaSet with the next revision", async () => {
    await apps.createNamespacedDeployment({ namespace: ns, body: sleeper("roll", 2) });
    await kubectlOk(["rollout", "status", "-n", ns, "deployment/roll", "--timeout=60s"]);
    await kubectlOk(["set", "env", "-n", ns, "deployment/roll", "VERSION=2"]);
    await kubectlOk(["rollout", "status", "-n", ns, "deployment/roll", "--timeout=60s"]);
    const rs = (await apps.listNamespacedReplicaSet({ namespace: ns, labelSelector: "app=roll" })).items;
    expect(rs).toHaveLength(2);
    const byRev = Object.fromEntries(
      rs.map((r) => [r.metadata!.annotations!["deployment.kubernetes.io/revision"], r]),
    );
    expect(byRev["1"]!.spec!.replicas).toBe(0);
    expect(byRev["2"]!.spec!.replicas).toBe(2);
    expect(byRev["2"]!.metadata!.name).toBe(`roll-${byRev["2"]!.metadata!.labels!["pod-template-hash"]}`);
    const pods = (await core.listNamespacedPod({ namespace: ns, labelSelector: "app=roll" })).items.filter(
      (p) => !p.metadata!.deletionTimestamp,
    );
    expect(pods.every((p) => p.spec!.containers[0]!.env?.[0]?.value === "2")).toBe(true);
    const history = await kubectlOk(["rollout", "history", "-n", ns, "deployment/roll"]);
    expect(history).toMatch(/REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
  });

  it("collects dependents in the background, orphans them on request, and deletes in the foreground", async () => {
    await apps.createNamespacedDeployment({ namespace: ns, body: sleeper("gc-bg", 1) });
    await waitFor("gc-bg pod", async () => (await names("pods", "app=gc-bg")).length === 1);
    await kubectlOk(["delete", "deployment", "gc-bg", "-n", ns]);
    await waitFor("gc-bg dependents gone", async () => (await names("rs,pods", "app=gc-bg")).length === 0);

    await apps.createNamespacedDeployment({ namespace: ns, body: sleeper("gc-orphan", 1) });
    await waitFor("gc-orphan rs", async () => (await names("rs", "app=gc-orphan")).length === 1);
    await kubectlOk(["delete", "deployment", "gc-orphan", "-n", ns, "--cascade=orphan"]);
    const rs = (await apps.listNamespacedReplicaSet({ namespace: ns, labelSelector: "app=gc-orphan" })).items;
    expect(rs).toHaveLength(1);
    expect(rs[0]!.metadata!.ownerReferences ?? []).toEqual([]);

    await apps.createNamespacedDeployment({ namespace: ns, body: sleeper("gc-fg", 1) });
    await waitFor("gc-fg pod", async () => (await names("pods", "app=gc-fg")).length === 1);
    const r = await kubectl([
      "delete",
      "deployment",
      "gc-fg",
      "-n",
      ns,
      "--cascade=foreground",
      "--timeout=60s",
    ]);
    expect(r.stdout).toBe('deployment.apps "gc-fg" deleted');
    expect(await names("deployments,rs", "app=gc-fg")).toEqual([]);
  });

  it("supports dryRun, generateName and deletecollection", async () => {
    const dry = await core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: "dry" } },
      dryRun: "All",
    });
    expect(dry.metadata!.uid).toBeTruthy();
    expect(
      statusOf(await core.readNamespacedConfigMap({ namespace: ns, name: "dry" }).catch((e: unknown) => e))
        .code,
    ).toBe(404);
    const gen = await core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { generateName: "gen-", labels: { batch: "x" } } },
    });
    expect(gen.metadata!.name).toMatch(/^gen-[a-z0-9]{5}$/);
    await core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: "gen-b", labels: { batch: "x" } } },
    });
    await core.deleteCollectionNamespacedConfigMap({ namespace: ns, labelSelector: "batch=x" });
    expect(await names("configmaps", "batch=x")).toEqual([]);
  });

  it("authorizes service account tokens with RBAC", async () => {
    await core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name: "reader" } } });
    const tr = await core.createNamespacedServiceAccountToken({
      namespace: ns,
      name: "reader",
      body: { spec: { audiences: [] } },
    });
    const token = tr.status!.token;
    const asReader = async (): Promise<unknown> =>
      kubectl([
        "--token",
        token,
        "--kubeconfig",
        "/dev/null",
        "--server",
        "https://127.0.0.1:6443",
        "--certificate-authority",
        ".test-cluster/pki/ca.crt",
        "get",
        "pods",
        "-n",
        ns,
      ]);
    const denied = (await asReader()) as { stderr: string; exitCode: number };
    expect(denied.exitCode).toBe(1);
    expect(denied.stderr.trim()).toBe(
      `Error from server (Forbidden): pods is forbidden: User "system:serviceaccount:${ns}:reader" cannot list resource "pods" in API group "" in the namespace "${ns}"`,
    );
    const rbac = clusterConfig().makeApiClient(RbacAuthorizationV1Api);
    await rbac.createNamespacedRole({
      namespace: ns,
      body: {
        metadata: { name: "pod-reader" },
        rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] }],
      },
    });
    await rbac.createNamespacedRoleBinding({
      namespace: ns,
      body: {
        metadata: { name: "reader" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "pod-reader" },
        subjects: [{ kind: "ServiceAccount", name: "reader", namespace: ns }],
      },
    });
    const allowed = (await asReader()) as { exitCode: number };
    expect(allowed.exitCode).toBe(0);
    expect(
      (
        await kubectl([
          "auth",
          "can-i",
          "delete",
          "pods",
          "-n",
          ns,
          `--as=system:serviceaccount:${ns}:reader`,
        ])
      ).stdout,
    ).toBe("no");
  });

  it("gives every namespace a default ServiceAccount and removes a namespace's contents with it", async () => {
    const { name, remove } = await withNamespace("doomed");
    await waitFor(
      "the default service account",
      async () =>
        (await kubectlOk(["get", "sa", "default", "-n", name, "-o", "name"])) === "serviceaccount/default",
    );
    await kubectlOk(["create", "configmap", "c", "-n", name]);
    const pod: V1Pod = {
      metadata: { name: "p" },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [{ name: "m", image: "tp-test-busybox:local", command: ["sleep", "3600"] }],
      },
    };
    await core.createNamespacedPod({ namespace: name, body: pod });
    await remove();
    const gone = await kubectl(["wait", "--for=delete", `namespace/${name}`, "--timeout=60s"]);
    expect(gone.exitCode).toBe(0);
    expect(
      statusOf(await core.readNamespacedConfigMap({ namespace: name, name: "c" }).catch((e: unknown) => e))
        .code,
    ).toBe(404);
  });

  it("applies server-side, dropping what the same manager stopped applying", async () => {
    const cm = (data: string): string =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n${data}`;
    expect(await kubectlOk(["apply", "--server-side", "-n", ns, "-f", "-"], cm("  a: '1'\n  b: '2'\n"))).toBe(
      "configmap/ssa serverside-applied",
    );
    await kubectlOk(["apply", "--server-side", "-n", ns, "-f", "-"], cm("  b: '3'\n"));
    expect(await kubectlOk(["get", "configmap", "ssa", "-n", ns, "-o", "jsonpath={.data}"])).toBe(
      '{"b":"3"}',
    );
  });

  it("stores HorizontalPodAutoscalers that kubectl lists", async () => {
    await kubectlOk(["autoscale", "deployment", "roll", "-n", ns, "--min=1", "--max=3", "--cpu-percent=80"]);
    const out = await kubectlOk(["get", "hpa", "roll", "-n", ns]);
    expect(out.split("\n")[0]).toMatch(/^NAME\s+REFERENCE\s+TARGETS\s+MINPODS\s+MAXPODS\s+REPLICAS\s+AGE$/);
    expect(out.split("\n")[1]).toMatch(/^roll\s+Deployment\/roll\s+\S+\s+1\s+3\s+\d+\s+\S+$/);
  });
});
