import { createHash } from "node:crypto";
import { get } from "node:http";
import { createServer, type AddressInfo } from "node:net";
import { PortForward, type V1Pod } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  clusterClient,
  deletePod,
  execIn,
  uniqueName,
  waitFor,
  waitPodReady,
  withNamespace,
} from "../cluster/node/testing/e2e-helpers.js";

const { kc, core } = clusterClient();
let ns = "";
let removeNs: () => Promise<void> = async () => {};

beforeAll(async () => {
  ({ ns, remove: removeNs } = await withNamespace(core, "node-net"));
});
afterAll(async () => {
  await removeNs();
});

function fetchLocal(port: number, path: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    get({ host: "127.0.0.1", port, path }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (d: Buffer) => chunks.push(d));
      res.on("end", () => resolve(Buffer.concat(chunks)));
      res.on("error", reject);
    }).on("error", reject);
  });
}

describe("test cluster node: services, DNS and port-forward", () => {
  it("from inside a pod, svc, svc.ns and the full name resolve and connect through the ClusterIP", async () => {
    const echo = uniqueName("echo");
    const client = uniqueName("client");
    const svc = "echo";
    try {
      const echoPod: V1Pod = {
        metadata: { name: echo, labels: { app: "echo" } },
        spec: {
          terminationGracePeriodSeconds: 1,
          containers: [
            {
              name: "echo",
              image: "tp-test-echo:local",
              env: [
                { name: "PORT", value: "8080" },
                { name: "NAME", value: "echo-one" },
              ],
              ports: [{ name: "http", containerPort: 8080 }],
              readinessProbe: { httpGet: { path: "/", port: "http" }, periodSeconds: 1 },
            },
          ],
        },
      };
      await core.createNamespacedPod({ namespace: ns, body: echoPod });
      const created = await core.createNamespacedService({
        namespace: ns,
        body: {
          metadata: { name: svc },
          spec: { selector: { app: "echo" }, ports: [{ name: "http", port: 80, targetPort: 8080 }] },
        },
      });
      const clusterIP = created.spec?.clusterIP ?? "";
      expect(clusterIP).toMatch(/^10\.244\.(12[89]|1[3-9]\d|2[0-5]\d)\.\d+$/);
      await core.createNamespacedService({
        namespace: ns,
        body: {
          metadata: { name: "echo-headless" },
          spec: { clusterIP: "None", selector: { app: "echo" }, ports: [{ port: 8080 }] },
        },
      });
      const ready = await waitPodReady(core, ns, echo);
      await waitFor("endpoints of the service", async () => {
        const ep = await core.readNamespacedEndpoints({ name: svc, namespace: ns });
        return ep.subsets?.[0]?.addresses?.length ? ep : undefined;
      });
      await core.createNamespacedPod({
        namespace: ns,
        body: {
          metadata: { name: client },
          spec: {
            terminationGracePeriodSeconds: 1,
            containers: [{ name: "main", image: "tp-test-busybox:local", command: ["sleep", "3600"] }],
          },
        },
      });
      await waitPodReady(core, ns, client);

      // The node's proxy follows the endpoints a moment after the API server (as kube-proxy does):
      // the first request is retried for a few seconds, the other names must then answer at once.
      let first = true;
      for (const host of [svc, `${svc}.${ns}`, `${svc}.${ns}.svc.cluster.local`]) {
        const get = () => execIn(kc, ns, client, "main", ["wget", "-qO-", `http://${host}/hello`]);
        const r = first
          ? await waitFor(
              "the service to answer",
              async () => {
                const a = await get();
                return a.status.status === "Success" ? a : undefined;
              },
              10_000,
            ).catch(get)
          : await get();
        first = false;
        expect(r.status.status, `${host}: ${r.stderr}`).toBe("Success");
        expect(JSON.parse(r.stdout)).toMatchObject({ name: "echo-one", url: "/hello" });
      }
      const lookup = await execIn(kc, ns, client, "main", ["nslookup", `${svc}.${ns}.svc.cluster.local`]);
      expect(lookup.stdout).toContain(`Address: ${clusterIP}`);
      const srv = await execIn(kc, ns, client, "main", [
        "nslookup",
        "-type=srv",
        `_http._tcp.${svc}.${ns}.svc.cluster.local`,
      ]);
      expect(srv.stdout).toContain(`service = 0 100 80 ${svc}.${ns}.svc.cluster.local`);
      const headless = await execIn(kc, ns, client, "main", [
        "nslookup",
        `echo-headless.${ns}.svc.cluster.local`,
      ]);
      expect(headless.stdout).toContain(`Address: ${ready.status?.podIP}`);
      const missing = await execIn(kc, ns, client, "main", ["nslookup", `nothing.${ns}.svc.cluster.local`]);
      expect(missing.stdout + missing.stderr).toContain("NXDOMAIN");

      const resolv = await execIn(kc, ns, client, "main", ["cat", "/etc/resolv.conf"]);
      expect(resolv.stdout).toContain("nameserver 10.244.128.10");
      expect(resolv.stdout).toContain(`search ${ns}.svc.cluster.local svc.cluster.local cluster.local`);
      expect(resolv.stdout).toContain("options ndots:5");

      const env = await execIn(kc, ns, client, "main", ["env"]);
      const vars = Object.fromEntries(
        env.stdout
          .trim()
          .split("\n")
          .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
      );
      expect(vars).toMatchObject({
        ECHO_SERVICE_HOST: clusterIP,
        ECHO_SERVICE_PORT: "80",
        ECHO_SERVICE_PORT_HTTP: "80",
        ECHO_PORT: `tcp://${clusterIP}:80`,
        ECHO_PORT_80_TCP: `tcp://${clusterIP}:80`,
        ECHO_PORT_80_TCP_PROTO: "tcp",
        ECHO_PORT_80_TCP_PORT: "80",
        ECHO_PORT_80_TCP_ADDR: clusterIP,
        KUBERNETES_SERVICE_HOST: "10.244.128.1",
        KUBERNETES_SERVICE_PORT: "443",
      });
      expect(vars.ECHO_HEADLESS_SERVICE_HOST).toBeUndefined();
    } finally {
      await core.deleteNamespacedService({ name: svc, namespace: ns }).catch(() => undefined);
      await core.deleteNamespacedService({ name: "echo-headless", namespace: ns }).catch(() => undefined);
      await Promise.all([deletePod(core, ns, echo), deletePod(core, ns, client)]);
    }
  });

  it("port-forward reaches a server bound to 127.0.0.1 in the pod, in parallel and for megabytes", async () => {
    const name = uniqueName("pf");
    const server = createServer((socket) => {
      void new PortForward(kc)
        .portForward(ns, name, [8081], socket, null, socket)
        .catch(() => socket.destroy());
    });
    try {
      await core.createNamespacedPod({
        namespace: ns,
        body: {
          metadata: { name },
          spec: {
            terminationGracePeriodSeconds: 1,
            containers: [
              {
                name: "web",
                image: "tp-test-busybox:local",
                command: [
                  "sh",
                  "-c",
                  "mkdir -p /www && echo hello > /www/index.html && head -c 3000000 /dev/urandom > /www/big && exec httpd -f -p 127.0.0.1:8081 -h /www",
                ],
                readinessProbe: {
                  exec: { command: ["wget", "-qO-", "http://127.0.0.1:8081/"] },
                  periodSeconds: 1,
                },
              },
            ],
          },
        },
      });
      await waitPodReady(core, ns, name);
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
      const port = (server.address() as AddressInfo).port;
      const small = await Promise.all(Array.from({ length: 8 }, () => fetchLocal(port, "/index.html")));
      for (const b of small) expect(b.toString()).toBe("hello\n");
      const big = await fetchLocal(port, "/big");
      expect(big.length).toBe(3000000);
      const sum = await execIn(kc, ns, name, "web", ["sha256sum", "/www/big"]);
      expect(sum.stdout.split(" ")[0]).toBe(createHash("sha256").update(big).digest("hex"));
    } finally {
      server.close();
      await deletePod(core, ns, name);
    }
  });

  it("logs of a container come from the kubelet", async () => {
    const name = uniqueName("logs");
    try {
      await core.createNamespacedPod({
        namespace: ns,
        body: {
          metadata: { name },
          spec: {
            terminationGracePeriodSeconds: 1,
            containers: [
              {
                name: "main",
                image: "tp-test-busybox:local",
                command: ["sh", "-c", "echo one; echo two >&2; exec sleep 3600"],
              },
            ],
          },
        },
      });
      await waitPodReady(core, ns, name);
      const all = await waitFor("both lines", async () => {
        const log = await core.readNamespacedPodLog({ name, namespace: ns });
        return log.includes("two") ? log : undefined;
      });
      expect(all.split("\n").sort()).toEqual(["", "one", "two"]);
      const tail = await core.readNamespacedPodLog({ name, namespace: ns, tailLines: 1, timestamps: true });
      expect(tail).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z (one|two)\n$/);
    } finally {
      await deletePod(core, ns, name);
    }
  });
});
