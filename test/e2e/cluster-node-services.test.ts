import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apply, createNamespace, kubectl, requireCluster, until } from "./support/cluster.js";

// The test cluster's kube-proxy routes a Service's TCP ports in the node's kernel (iptables DNAT),
// as kube-proxy's iptables mode does: balanced, following the endpoints, refusing without any.
let ns: Awaited<ReturnType<typeof createNamespace>>;

beforeAll(async () => {
  requireCluster();
  ns = await createNamespace("tp-kproxy");
}, 60_000);

afterAll(async () => {
  await ns?.remove();
});

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
          image: tp-test-echo:local
          ports: [{ name: http, containerPort: 8080 }]
          readinessProbe: { httpGet: { path: /, port: http }, periodSeconds: 1 }
---
apiVersion: v1
kind: Service
metadata: { name: web }
spec:
  selector: { app: web }
  ports: [{ name: http, port: 80, targetPort: http }]
---
apiVersion: v1
kind: Service
metadata: { name: nobody }
spec:
  selector: { app: no-such-pod }
  ports: [{ port: 80, targetPort: 8080 }]
---
apiVersion: v1
kind: Pod
metadata: { name: client }
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - { name: main, image: tp-test-busybox:local, command: [sleep, "3600"] }
`;

const exec = (pod: string, script: string) =>
  execa(
    "kubectl",
    ["--kubeconfig", ".test-cluster/kubeconfig", "exec", "-n", ns.name, pod, "--", "sh", "-c", script],
    {
      reject: false,
      timeout: 60_000,
    },
  );

/** The echo server's name (its pod's hostname) for each of `n` new connections to `url`. */
async function answers(pod: string, url: string, n: number): Promise<string[]> {
  const r = await exec(pod, `for i in $(seq ${n}); do timeout 10 wget -qO- ${url} || echo FAILED; done`);
  return r.stdout
    .split("\n")
    .filter(Boolean)
    .map((l) => (l.startsWith("{") ? (JSON.parse(l) as { name: string }).name : l));
}

/** One field of an object in the test's namespace (`kubectl get … -o jsonpath`). */
const jsonpath = async (what: string[], path: string) =>
  (await kubectl(["get", ...what, "-n", ns.name, "-o", `jsonpath={${path}}`])).trim();

const nodeShell = (cmd: string[]) => execa("docker", ["exec", "tp-test-cluster-node", ...cmd]);

describe("test cluster kube-proxy: Services in the node's kernel", () => {
  it(
    "balances over the ready endpoints, follows a scale-down, refuses without endpoints, allows hairpin; no listener serves the port",
    { timeout: 240_000 },
    async () => {
      await apply(ns.name, manifest);
      await kubectl(["rollout", "status", "-n", ns.name, "deployment/web", "--timeout=90s"]);
      await kubectl(["wait", "-n", ns.name, "pod/client", "--for=condition=Ready", "--timeout=60s"]);
      const ip = await jsonpath(["svc", "web"], ".spec.clusterIP");
      const none = await jsonpath(["svc", "nobody"], ".spec.clusterIP");
      const podNames = async () =>
        (await jsonpath(["pods", "-l", "app=web"], ".items[*].metadata.name")).split(" ").sort();
      const two = await podNames();
      expect(two).toHaveLength(2);

      // Both endpoints answer new connections (each with probability 1/2: 30 all on one is ~2e-9).
      let seen: string[] = [];
      await until(
        "both endpoints to answer through the ClusterIP",
        async () => {
          seen = await answers("client", `http://${ip}/`, 30);
          return [...new Set(seen)].sort().join() === two.join();
        },
        30_000,
      );
      expect(seen).not.toContain("FAILED");
      const counts = two.map((n) => seen.filter((s) => s === n).length);
      expect(Math.min(...counts)).toBeGreaterThanOrEqual(3);

      // The kernel routes the port: the node holds the address but listens on no (ClusterIP, 80).
      const listening = (await nodeShell(["netstat", "-ltn"])).stdout;
      expect(listening).not.toContain(`${ip}:80 `);
      const nat = (await nodeShell(["iptables-save", "-t", "nat"])).stdout;
      expect(nat).toContain(`-d ${ip}/32 -p tcp -m tcp --dport 80`);
      expect((await nodeShell(["ip", "-4", "addr", "show"])).stdout).toContain(`inet ${ip}/32`);

      // A Service without endpoints refuses at once (kube-proxy rejects), not accept-then-close.
      const refused = await exec("client", `timeout 10 wget -qO- http://${none}/`);
      expect(refused.exitCode).not.toBe(0);
      expect(refused.stderr).toMatch(/refused/i);

      // Scaled down: the removed endpoint gets no new connection, the other one all of them.
      await kubectl(["scale", "-n", ns.name, "deployment/web", "--replicas=1"]);
      await until(
        "the scale-down to reach the Service's endpoints",
        async () =>
          (await jsonpath(["endpoints", "web"], ".subsets[*].addresses[*].ip")).split(" ").length === 1,
        60_000,
      );
      const survivor = await jsonpath(["endpoints", "web"], ".subsets[0].addresses[0].targetRef.name");
      expect(two).toContain(survivor);
      await until(
        "the proxy to follow the endpoints",
        async () => (await answers("client", `http://${ip}/`, 5)).every((s) => s === survivor),
        10_000,
        200,
      );
      expect(await answers("client", `http://${ip}/`, 20)).toEqual(Array(20).fill(survivor));

      // Hairpin: the endpoint reaches itself through its own Service.
      expect(await answers(survivor, `http://${ip}/`, 3)).toEqual(Array(3).fill(survivor));
    },
  );
});
