import { execa } from "execa";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apply, createNamespace, kubectl, requireCluster } from "./support/cluster.js";
import { RunningTp } from "./support/tp.js";

// --also-proxy: a name the cluster resolves to an address outside its CIDRs. The address is the
// host's on Docker's default bridge, which the local containers and the cluster's pods both
// reach: the server's answer says from where the connection came.
let ns: Awaited<ReturnType<typeof createNamespace>>;
let server: Server;
let hostIp = "";
let port = 0;

beforeAll(async () => {
  requireCluster();
  // The default bridge's address on this machine. An engine may list only the subnet in the
  // bridge's IPAM config; its gateway is then the subnet's first address (docker0's).
  const ipam = JSON.parse(
    (await execa("docker", ["network", "inspect", "bridge", "-f", "{{json .IPAM.Config}}"])).stdout,
  ) as { Subnet?: string; Gateway?: string }[];
  const v4 = ipam.find((c) => /^\d+\.\d+\.\d+\.\d+\//.test(c.Subnet ?? ""));
  hostIp = v4?.Gateway ?? (v4?.Subnet ?? "").replace(/\.\d+\/\d+$/, ".1");
  expect(hostIp).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  server = createServer((q, s) =>
    s.end(JSON.stringify({ from: q.socket.remoteAddress?.replace(/^::ffff:/, "") })),
  );
  await new Promise<void>((r) => server.listen(0, "0.0.0.0", r));
  port = (server.address() as AddressInfo).port;
  ns = await createNamespace("tp-also-proxy");
  // A Service without a selector and its Endpoints: the cluster's DNS names the outside address.
  await apply(
    ns.name,
    `
apiVersion: v1
kind: Service
metadata: { name: outside }
spec:
  clusterIP: None
  ports: [{ port: ${port} }]
---
apiVersion: v1
kind: Endpoints
metadata: { name: outside }
subsets:
  - addresses: [{ ip: ${hostIp} }]
    ports: [{ port: ${port} }]
`,
  );
}, 120_000);

afterAll(async () => {
  await ns?.remove();
  await new Promise((r) => server?.close(r));
});

async function proxyPodIps(): Promise<string[]> {
  const pods = JSON.parse(
    await kubectl(["get", "pods", "-n", ns.name, "-l", "app.kubernetes.io/managed-by=tp", "-o", "json"]),
  ) as { items: { status: { podIP?: string } }[] };
  return pods.items.map((p) => p.status.podIP ?? "");
}

describe("--also-proxy", () => {
  it("a name resolved in the cluster: the container's very first connection goes through the cluster, the rules being in place before the tunnel is reported up", async () => {
    const fetchFirst = `fetch('http://${hostIp}:${port}/').then(r=>r.text()).then(t=>console.log('ANSWER '+t),e=>console.log('ANSWER-ERROR '+e.message)).then(()=>setTimeout(()=>{},600000))`;
    const tp = new RunningTp([
      "docker-run",
      "-n",
      ns.name,
      "--mount",
      "false",
      "--also-proxy",
      "outside",
      "--",
      "tp-node-base:local",
      "node",
      "-e",
      fetchFirst,
    ]);
    try {
      const [line] = await tp.waitFor(/^ANSWER.*$/m, 120_000);
      expect(line).toMatch(/^ANSWER /);
      const { from } = JSON.parse(line.slice("ANSWER ".length)) as { from: string };
      expect(await proxyPodIps()).toContain(from);

      // The sidecar's status lines: the name's addresses are in the rules before "tunnel-up".
      const listed = await execa("docker", [
        "ps",
        "--filter",
        "label=dev.tp.role=sidecar",
        "--format",
        '{{.ID}} {{.Label "dev.tp.remote"}}',
      ]);
      const id = listed.stdout
        .split("\n")
        .find((l) => l.split(" ")[1]?.startsWith(`${ns.name}/`))
        ?.split(" ")[0];
      expect(id, "the session's sidecar").toBeTruthy();
      const statusLines = (await execa("docker", ["logs", id as string])).stdout.split("\n");
      const events = statusLines.flatMap((l) => {
        try {
          return [(JSON.parse(l) as { event: string }).event];
        } catch {
          return [];
        }
      });
      expect(events).toContain("also-proxy");
      expect(events.indexOf("also-proxy")).toBeLessThan(events.indexOf("tunnel-up"));
    } finally {
      await tp.kill();
    }
  }, 240_000);
});
