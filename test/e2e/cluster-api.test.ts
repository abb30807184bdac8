import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appManifest } from "../cluster/apiserver/testing/app-manifest.js";
import { kubectl, kubectlOk, waitFor, withNamespace } from "../cluster/apiserver/testing/cluster-access.js";

let ns = "";
let removeNs: () => Promise<void> = async () => {};

beforeAll(async () => {
  ({ name: ns, remove: removeNs } = await withNamespace("kubectl"));
});
afterAll(async () => {
  await removeNs();
});

describe("test cluster API with real kubectl", () => {
  it("prints a missing object's 404 as it would for a real cluster", async () => {
    const r = await kubectl(["get", "pod", "nope", "-n", ns]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr.trim()).toBe('Error from server (NotFound): pods "nope" not found');
    const d = await kubectl(["get", "deployment", "nope", "-n", ns]);
    expect(d.stderr.trim()).toBe('Error from server (NotFound): deployments.apps "nope" not found');
  });

  it("serves discovery for the core and named groups", async () => {
    const out = await kubectlOk(["api-resources", "--no-headers"]);
    const rows = out.split("\n").map((l) => l.trim().split(/\s+/));
    const has = (name: string, version: string): boolean =>
      rows.some((r) => r[0] === name && r.includes(version));
    expect(has("pods", "v1")).toBe(true);
    expect(has("deployments", "apps/v1")).toBe(true);
    expect(has("leases", "coordination.k8s.io/v1")).toBe(true);
    expect(has("horizontalpodautoscalers", "autoscaling/v2")).toBe(true);
    expect(has("roles", "rbac.authorization.k8s.io/v1")).toBe(true);
    expect(await kubectlOk(["get", "nodes", "-o", "name"])).toContain("node/tp-test-node");
    const svc = await kubectlOk([
      "get",
      "svc",
      "kube-dns",
      "-n",
      "kube-system",
      "-o",
      "jsonpath={.spec.clusterIP}",
    ]);
    expect(svc).toBe("10.244.128.10");
  });

  it("applies an app, rolls it out, scales it, shows logs, execs and deletes it", async () => {
    const manifest = appManifest("web");
    const applied = await kubectlOk(["apply", "-n", ns, "-f", "-"], manifest);
    expect(applied.split("\n")).toEqual([
      "configmap/web-config created",
      "secret/web-secret created",
      "deployment.apps/web created",
      "service/web created",
    ]);
    const rollout = await kubectlOk(["rollout", "status", "-n", ns, "deployment/web", "--timeout=60s"]);
    expect(rollout).toContain('deployment "web" successfully rolled out');

    const again = await kubectlOk(["apply", "-n", ns, "-f", "-"], manifest);
    expect(again).toContain("deployment.apps/web unchanged");

    // Rollout status saw both pods available; wait until they still are, whatever a probe did since.
    const wide = await waitFor("two ready pods", async () => {
      const out = await kubectlOk(["get", "pods", "-n", ns, "-l", "app=web", "-o", "wide"]);
      return (out.match(/ 1\/1 /g) ?? []).length === 2 ? out : undefined;
    });
    const [header, ...pods] = wide.split("\n");
    expect(header).toMatch(
      /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/,
    );
    expect(pods).toHaveLength(2);
    for (const p of pods)
      expect(p).toMatch(
        /^web-[a-z0-9]+-[a-z0-9]{5}\s+1\/1\s+Running\s+0\s+\S+\s+10\.244\.\d+\.\d+\s+tp-test-node\s/,
      );

    const deploy = JSON.parse(await kubectlOk(["get", "deployment", "web", "-n", ns, "-o", "json"])) as {
      metadata: { generation: number; annotations: Record<string, string> };
      status: {
        observedGeneration: number;
        readyReplicas: number;
        conditions: { type: string; status: string }[];
      };
    };
    expect(deploy.status.readyReplicas).toBe(2);
    expect(deploy.status.observedGeneration).toBe(deploy.metadata.generation);
    expect(deploy.metadata.annotations["deployment.kubernetes.io/revision"]).toBe("1");
    expect(deploy.status.conditions.map((c) => `${c.type}=${c.status}`).sort()).toEqual([
      "Available=True",
      "Progressing=True",
    ]);

    const svc = await kubectlOk(["get", "svc", "web", "-n", ns]);
    expect(svc.split("\n")[1]).toMatch(
      /^web\s+ClusterIP\s+10\.244\.(1[2-9]\d|2[0-5]\d)\.\d+\s+<none>\s+80\/TCP\s+\S+$/,
    );
    const ep = await kubectlOk([
      "get",
      "endpoints",
      "web",
      "-n",
      ns,
      "-o",
      "jsonpath={.subsets[0].addresses[*].ip}",
    ]);
    expect(ep.split(" ")).toHaveLength(2);

    expect(await kubectlOk(["scale", "-n", ns, "deployment/web", "--replicas=0"])).toBe(
      "deployment.apps/web scaled",
    );
    await waitFor(
      "no pods after scaling to 0",
      async () => (await kubectlOk(["get", "pods", "-n", ns, "-l", "app=web", "-o", "name"])) === "",
    );
    expect(await kubectlOk(["get", "deployment", "web", "-n", ns, "-o", "jsonpath={.status.replicas}"])).toBe(
      "",
    );
    await kubectlOk(["scale", "-n", ns, "deployment/web", "--replicas=2"]);
    await kubectlOk(["rollout", "status", "-n", ns, "deployment/web", "--timeout=60s"]);

    // Ready means the port accepts connections; the line the server prints after listen() and
    // Docker's copy of it into the log file may come a moment later, as on any cluster.
    const logs = await waitFor("the server's first log line", async () => {
      const out = await kubectlOk(["logs", "-n", ns, "deployment/web"]);
      return /listening on 8080/.test(out) ? out : undefined;
    });
    expect(logs).toMatch(/^echo server \S+ listening on 8080$/m);

    const exec = await kubectl([
      "exec",
      "-n",
      ns,
      "deployment/web",
      "--",
      "sh",
      "-c",
      "echo $GREETING $API_TOKEN; echo oops >&2; exit 3",
    ]);
    expect(exec.stdout.trim()).toBe("hello s3cret");
    expect(exec.stderr).toContain("oops");
    expect(exec.stderr).toContain("command terminated with exit code 3");
    expect(exec.exitCode).toBe(3);

    const deleted = await kubectlOk(["delete", "-n", ns, "-f", "-"], manifest);
    expect(deleted.split("\n")).toEqual([
      'configmap "web-config" deleted',
      'secret "web-secret" deleted',
      'deployment.apps "web" deleted',
      'service "web" deleted',
    ]);
    await waitFor(
      "the pods to be collected",
      async () => (await kubectlOk(["get", "rs,pods", "-n", ns, "-o", "name"])) === "",
    );
  });

  it("patches with every patch type kubectl offers", async () => {
    await kubectlOk(["create", "configmap", "p", "-n", ns, "--from-literal=a=1"]);
    await kubectlOk(["patch", "configmap", "p", "-n", ns, "--type=merge", "-p", '{"data":{"b":"2"}}']);
    await kubectlOk([
      "patch",
      "configmap",
      "p",
      "-n",
      ns,
      "--type=json",
      "-p",
      '[{"op":"remove","path":"/data/a"}]',
    ]);
    expect(await kubectlOk(["get", "configmap", "p", "-n", ns, "-o", "jsonpath={.data}"])).toBe('{"b":"2"}');
    await kubectlOk([
      "create",
      "deployment",
      "pd",
      "-n",
      ns,
      "--image=tp-test-busybox:local",
      "--replicas=0",
      "--",
      "sleep",
      "3600",
    ]);
    await kubectlOk([
      "patch",
      "deployment",
      "pd",
      "-n",
      ns,
      "-p",
      '{"spec":{"template":{"spec":{"containers":[{"name":"tp-test-busybox","env":[{"name":"X","value":"1"}]}]}}}}',
    ]);
    const c = JSON.parse(
      await kubectlOk([
        "get",
        "deployment",
        "pd",
        "-n",
        ns,
        "-o",
        "jsonpath={.spec.template.spec.containers}",
      ]),
    ) as { name: string; image: string; env: unknown[] }[];
    expect(c).toHaveLength(1);
    expect(c[0]).toMatchObject({
      name: "tp-test-busybox",
      image: "tp-test-busybox:local",
      env: [{ name: "X", value: "1" }],
    });
    const bad = await kubectl([
      "patch",
      "configmap",
      "p",
      "-n",
      ns,
      "--type=json",
      "-p",
      '[{"op":"test","path":"/data/b","value":"3"}]',
    ]);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toContain("testing value /data/b failed");
  });

  it("rejects an invalid object with a 422 naming the field", async () => {
    const r = await kubectl(
      ["apply", "-n", ns, "-f", "-"],
      "apiVersion: v1\nkind: Pod\nmetadata:\n  name: bad\nspec:\n  containers:\n  - name: main\n",
    );
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('The Pod "bad" is invalid: spec.containers[0].image: Required value');
  });

  it("rejects unknown fields as kubectl's strict validation expects", async () => {
    const r = await kubectl(
      ["apply", "-n", ns, "-f", "-"],
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: typo\ndatta:\n  a: b\n",
    );
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(
      'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "datta"',
    );
  });

  it("reports a pod whose image does not exist", async () => {
    await kubectlOk(["run", "ghost", "-n", ns, "--image=tp-no-such-image:local", "--restart=Never"]);
    const reason = await waitFor("the image error", async () => {
      const r = await kubectlOk([
        "get",
        "pod",
        "ghost",
        "-n",
        ns,
        "-o",
        "jsonpath={.status.containerStatuses[0].state.waiting.reason}",
      ]);
      return /Err|BackOff|Invalid/.test(r) ? r : undefined;
    });
    expect(reason).toMatch(/^(ErrImageNeverPull|ErrImagePull|ImagePullBackOff)$/);
    expect(await kubectlOk(["get", "pod", "ghost", "-n", ns, "--no-headers"])).toMatch(
      /^ghost\s+0\/1\s+(ErrImageNeverPull|ErrImagePull|ImagePullBackOff)\s/,
    );
  });
});
