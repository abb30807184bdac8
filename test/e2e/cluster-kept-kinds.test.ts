import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createNamespace,
  kubeconfig,
  kubectl,
  requireCluster,
  rolloutStatus,
  until,
} from "./support/cluster.js";

// Kinds that app manifests carry beside their workloads and that the test cluster keeps without
// acting on them (no network plugin or ingress controller), as a real API server stores them:
// kubectl applies, shows and deletes them as it does elsewhere; evictions respect the budgets.

const suffix = `${process.pid}`;
const manifest = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: 2
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: web
          image: tp-test-busybox:local
          command: [sleep, "3600"]
          readinessProbe: { exec: { command: ["true"] }, periodSeconds: 1 }
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: web-allow }
spec:
  podSelector: { matchLabels: { app: web } }
  ingress:
    - from: [{ podSelector: { matchLabels: { role: frontend } } }]
      ports: [{ port: 8080 }]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: default-deny }
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: web }
spec:
  ingressClassName: nginx
  tls: [{ hosts: [web.example.com], secretName: web-tls }]
  rules:
    - host: web.example.com
      http:
        paths:
          - { path: /, pathType: Prefix, backend: { service: { name: web, port: { number: 80 } } } }
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: { name: web-min }
spec:
  minAvailable: 1
  selector: { matchLabels: { app: web } }
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: { name: web-max }
spec:
  maxUnavailable: 50%
  selector: { matchLabels: { app: web } }
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: { name: tp-e2e-high-${suffix} }
value: 1000
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: { name: tp-e2e-fast-${suffix} }
provisioner: example.com/fast
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: { name: tp-e2e-nginx-${suffix} }
spec: { controller: k8s.io/ingress-nginx }
`;

let ns: Awaited<ReturnType<typeof createNamespace>>;
const kubectlIn = (input: string, ...args: string[]) =>
  execa("kubectl", ["--kubeconfig", kubeconfig, ...args], { input, reject: false });

beforeAll(async () => {
  requireCluster();
  ns = await createNamespace("tp-kept-kinds");
}, 60_000);

afterAll(async () => {
  await ns?.remove();
  for (const kind of ["priorityclass/tp-e2e-high", "storageclass/tp-e2e-fast", "ingressclass/tp-e2e-nginx"])
    await kubectl(["delete", `${kind}-${suffix}`, "--ignore-not-found"]).catch(() => undefined);
});

describe("NetworkPolicy, Ingress, PodDisruptionBudget, PriorityClass, StorageClass, IngressClass", () => {
  it("are applied, defaulted, shown, checked and deleted with their namespace as a real server does", async () => {
    const first = await kubectlIn(manifest, "apply", "-n", ns.name, "-f", "-");
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stdout).toContain("networkpolicy.networking.k8s.io/web-allow created");
    expect(first.stdout).toContain("poddisruptionbudget.policy/web-max created");
    const again = await kubectlIn(manifest, "apply", "-n", ns.name, "-f", "-");
    expect(again.exitCode, again.stderr).toBe(0);
    for (const unchanged of [
      "networkpolicy.networking.k8s.io/default-deny",
      "ingress.networking.k8s.io/web",
      `priorityclass.scheduling.k8s.io/tp-e2e-high-${suffix}`,
      `storageclass.storage.k8s.io/tp-e2e-fast-${suffix}`,
    ])
      expect(again.stdout).toContain(`${unchanged} unchanged`);

    // The types' defaults.
    const allow = JSON.parse(await kubectl(["get", "netpol", "web-allow", "-n", ns.name, "-o", "json"]));
    expect(allow.spec.policyTypes).toEqual(["Ingress"]);
    expect(allow.spec.ingress[0].ports).toEqual([{ port: 8080, protocol: "TCP" }]);
    const sc = JSON.parse(await kubectl(["get", "sc", `tp-e2e-fast-${suffix}`, "-o", "json"]));
    expect(sc).toMatchObject({ reclaimPolicy: "Delete", volumeBindingMode: "Immediate" });
    const pc = JSON.parse(await kubectl(["get", "pc", `tp-e2e-high-${suffix}`, "-o", "json"]));
    expect(pc).toMatchObject({ value: 1000, preemptionPolicy: "PreemptLowerPriority" });

    // kubectl get's columns.
    expect(await kubectl(["get", "netpol", "-n", ns.name])).toMatch(
      /NAME\s+POD-SELECTOR\s+AGE\ndefault-deny\s+<none>.*\nweb-allow\s+app=web/,
    );
    expect(await kubectl(["get", "ing", "-n", ns.name])).toMatch(
      /NAME\s+CLASS\s+HOSTS\s+ADDRESS\s+PORTS\s+AGE\nweb\s+nginx\s+web\.example\.com\s+80, 443/,
    );

    // The budgets' status follows the pods: two Ready, one may go (at least one; at most half).
    await rolloutStatus(ns.name, "web");
    await until(
      "both budgets allow one disruption",
      async () =>
        /web-max\s+N\/A\s+50%\s+1\s.*\n?/.test(await kubectl(["get", "pdb", "-n", ns.name])) &&
        /web-min\s+1\s+N\/A\s+1\s/.test(await kubectl(["get", "pdb", "-n", ns.name])),
      30_000,
    );
    const max = JSON.parse(await kubectl(["get", "pdb", "web-max", "-n", ns.name, "-o", "json"]));
    expect(max.status).toMatchObject({
      expectedPods: 2,
      desiredHealthy: 1,
      currentHealthy: 2,
      disruptionsAllowed: 1,
    });
    expect(max.status.conditions).toEqual([
      expect.objectContaining({ type: "DisruptionAllowed", status: "True", reason: "SufficientPods" }),
    ]);
    // Evictions ask the budget: refused with two budgets, allowed while one allows, then refused.
    const pods = (await kubectl(["get", "pods", "-n", ns.name, "-l", "app=web", "-o", "name"]))
      .split("\n")
      .filter(Boolean)
      .map((p) => p.replace("pod/", ""));
    expect(pods).toHaveLength(2);
    const evict = (pod: string, query = "") =>
      kubectlIn(
        JSON.stringify({
          apiVersion: "policy/v1",
          kind: "Eviction",
          metadata: { name: pod, namespace: ns.name },
        }),
        "create",
        "--raw",
        `/api/v1/namespaces/${ns.name}/pods/${pod}/eviction${query}`,
        "-f",
        "-",
      );
    const two = await evict(pods[0]!);
    expect(two.exitCode).not.toBe(0);
    expect(two.stderr).toContain("more than one PodDisruptionBudget");
    await kubectl(["delete", "pdb", "web-max", "-n", ns.name]);
    // A dry run changes nothing: the pod stays, the budget still allows one.
    const dry = await evict(pods[0]!, "?dryRun=All");
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(await kubectl(["get", "pod", pods[0]!, "-n", ns.name, "-o", "name"])).toContain(pods[0]);
    const min = JSON.parse(await kubectl(["get", "pdb", "web-min", "-n", ns.name, "-o", "json"]));
    expect(min.status.disruptionsAllowed).toBe(1);
    const allowed = await evict(pods[0]!);
    expect(allowed.exitCode, allowed.stderr).toBe(0);
    const refused = await evict(pods[1]!);
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toContain("Cannot evict pod as it would violate the pod's disruption budget.");
    expect(await kubectl(["get", "pod", pods[1]!, "-n", ns.name, "-o", "name"])).toContain(pods[1]);

    // What the types' checks refuse.
    const bad = await kubectlIn(
      `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: bad }
spec:
  rules: [{ http: { paths: [{ path: /, backend: { service: { name: web, port: { number: 80 } } } }] } }]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: { name: bad }
spec: { minAvailable: 1, maxUnavailable: 1, selector: { matchLabels: { app: web } } }
`,
      "apply",
      "-n",
      ns.name,
      "-f",
      "-",
    );
    expect(bad.exitCode).not.toBe(0);
    expect(bad.stderr).toContain(
      "spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified",
    );
    expect(bad.stderr).toContain("minAvailable and maxUnavailable cannot be both set");
    const provisioner = await execa(
      "kubectl",
      [
        "--kubeconfig",
        kubeconfig,
        "patch",
        "sc",
        `tp-e2e-fast-${suffix}`,
        "-p",
        '{"provisioner":"example.com/other"}',
      ],
      { reject: false },
    );
    expect(provisioner.stderr).toContain("provisioner: Forbidden: updates to provisioner are forbidden.");

    await kubectl(["delete", "namespace", ns.name, "--timeout=60s"]);
    expect(await kubectl(["get", "netpol,ing,pdb", "-A", "-o", "name"])).not.toMatch(new RegExp(ns.name));
  }, 120_000);
});
