import { execa } from "execa";
import { readFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apply, createNamespace, kubectl, requireCluster, rolloutStatus } from "./support/cluster.js";
import {
  exchange,
  freePort,
  kubectlPortForward,
  random,
  sha256,
  type KubectlForward,
} from "./support/kubectl-port-forward.js";

// Real kubectl (1.31+) port-forward against the test cluster: SPDY/3.1 tunnelled in a WebSocket
// (subprotocol SPDY/3.1+portforward.k8s.io), and plain SPDY/3.1 when the API server refuses that.
const server = readFileSync(new URL("./fixtures/pf-server.mjs", import.meta.url), "utf8");
const MiB = 1 << 20;
let ns: Awaited<ReturnType<typeof createNamespace>>;
let pod = "";

const manifest = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: pfs }
spec:
  replicas: 1
  selector: { matchLabels: { app: pfs } }
  template:
    metadata: { labels: { app: pfs } }
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: pfs
          image: tp-test-echo:local
          command: ["/usr/bin/node", "--input-type=module", "-e", ${JSON.stringify(server)}]
          ports: [{ name: echo, containerPort: 9000 }]
          readinessProbe: { tcpSocket: { port: 9002 }, periodSeconds: 1 }
---
apiVersion: v1
kind: Service
metadata: { name: pfs }
spec:
  selector: { app: pfs }
  ports:
    - { name: echo, port: 80, targetPort: echo }
    - { name: sink, port: 81, targetPort: 9001 }
`;

/**
 * Open `count` connections to `port` at once, each sending its number and holding on until it is
 * echoed; close them all once every one has been (or has failed). Returns the failures.
 */
async function holdOpenEchoes(port: number, count: number): Promise<string[]> {
  const sockets: Socket[] = [];
  const failures: string[] = [];
  await Promise.all(
    Array.from(
      { length: count },
      (_, i) =>
        new Promise<void>((resolve) => {
          const line = `connection ${i}\n`;
          let got = "";
          const s = connect({ port, host: "127.0.0.1" }, () => s.write(line));
          sockets.push(s);
          let failed = false;
          const fail = (why: string) => {
            if (failed) return;
            failed = true;
            failures.push(`${i}: ${why}`);
            resolve();
          };
          const timer = setTimeout(() => fail("no echo in 60 s"), 60_000);
          s.on("data", (d: Buffer) => {
            got += d.toString();
            if (got === line) {
              clearTimeout(timer);
              resolve();
            }
          });
          s.on("error", (e) => (clearTimeout(timer), fail(e.message)));
          s.on("close", () => {
            clearTimeout(timer);
            if (got !== line) fail(`closed after ${JSON.stringify(got)}`);
          });
        }),
    ),
  );
  for (const s of sockets) s.destroy();
  return failures;
}

/** Switch the API server's PortForwardWebsockets gate (feature-gates.ts reads the file per request). */
async function websocketsGate(on: boolean): Promise<void> {
  const file = "/run/tp-test-cluster/feature-gates";
  const script = on
    ? `rm -f ${file}`
    : `mkdir -p /run/tp-test-cluster && echo PortForwardWebsockets=false > ${file}`;
  await execa("docker", ["exec", "tp-test-cluster-apiserver", "sh", "-c", script]);
}

async function withForward<T>(
  target: string,
  ports: string[],
  body: (f: KubectlForward) => Promise<T>,
): Promise<T> {
  const f = await kubectlPortForward(ns.name, target, ports);
  try {
    return await body(f);
  } finally {
    await f.stop();
  }
}

async function echoIntact(port: number, bytes: number): Promise<number> {
  const data = random(bytes);
  const { got, seconds } = await exchange(port, data);
  expect(got.length).toBe(bytes);
  expect(sha256(got)).toBe(sha256(data));
  return seconds;
}

beforeAll(async () => {
  requireCluster();
  ns = await createNamespace("tp-kubectl-pf");
  await apply(ns.name, manifest);
  await rolloutStatus(ns.name, "pfs");
  pod = (await kubectl(["get", "pods", "-n", ns.name, "-l", "app=pfs", "-o", "name"])).trim().split("\n")[0]!;
}, 120_000);

afterAll(async () => {
  await websocketsGate(true).catch(() => undefined);
  await ns?.remove();
});

describe("kubectl port-forward against the test cluster", () => {
  it("pod/NAME LOCAL:REMOTE over the WebSocket tunnel: 64 MiB both ways intact, several connections at once", async () => {
    const local = await freePort();
    await withForward(pod, [`${local}:9000`, ":9001"], async (f) => {
      expect(f.local.get(9000)).toBe(local);
      expect(f.output()).toContain("negotiated protocol: portforward.k8s.io");
      expect(f.output()).not.toContain("fallback to secondary dialer");
      await echoIntact(local, 64 * MiB);
      const upload = random(8 * MiB);
      const [sink, ...echoes] = await Promise.all([
        exchange(f.local.get(9001)!, upload),
        ...Array.from({ length: 8 }, (_, i) => exchange(local, `connection ${i}\n`.repeat(1000 * (i + 1)))),
      ]);
      expect(sink!.got.toString()).toBe(`${sha256(upload)}\n`);
      echoes.forEach((e, i) => expect(e.got.toString()).toBe(`connection ${i}\n`.repeat(1000 * (i + 1))));
    });
  });

  it(
    "1,000 connections opened at once through one forward: each is echoed, kubectl reports no error",
    { timeout: 120_000 },
    async () => {
      // A kubelet dials the pod's port for each; the connections arrive faster than one at a time.
      await withForward(pod, [":9000"], async (f) => {
        const failures = await holdOpenEchoes(f.local.get(9000)!, 1000);
        expect(f.output()).not.toContain("an error occurred forwarding");
        expect(failures).toEqual([]);
        expect(f.exited()).toBe(false);
      });
    },
  );

  it("deployment/NAME and service/NAME (the service port mapped to the pod's)", async () => {
    await withForward("deployment/pfs", [":9000"], async (f) => {
      await echoIntact(f.local.get(9000)!, MiB);
    });
    await withForward("service/pfs", [":80", ":81"], async (f) => {
      expect(f.output()).toMatch(/Forwarding from 127\.0\.0\.1:\d+ -> 9000/);
      await echoIntact(f.local.get(9000)!, MiB);
      const { got } = await exchange(f.local.get(9001)!, "abc");
      expect(got.toString()).toBe(`${sha256(Buffer.from("abc"))}\n`);
    });
  });

  it("a connection to a closed port gets kubectl's error for it (and kubectl 1.31+ then ends the forward)", async () => {
    await withForward(pod, [":9000", ":9009"], async (f) => {
      await echoIntact(f.local.get(9000)!, MiB);
      // kubectl closes the local connection (a reset, if "hello" is still unread, counts as closed too).
      const refused = await exchange(f.local.get(9009)!, "hello").catch(() => ({ got: Buffer.alloc(0) }));
      expect(refused.got.length).toBe(0);
      const started = Date.now();
      while (!f.exited() && Date.now() - started < 10_000) await new Promise((r) => setTimeout(r, 100));
      // client-go closes the stream connection after any error a connection's error stream carries.
      expect(f.output()).toMatch(
        new RegExp(
          `an error occurred forwarding ${f.local.get(9009)} -> 9009: error forwarding port 9009 to pod ${pod.replace("pod/", "")}_${ns.name}, uid [0-9a-f-]+: `,
        ),
      );
      expect(f.output()).toContain("lost connection to pod");
      expect(f.exited()).toBe(true);
    });
  });

  it("with the WebSocket upgrade refused (PortForwardWebsockets off), kubectl forwards over plain SPDY", async () => {
    await websocketsGate(false);
    try {
      await withForward(pod, [":9000", ":9001"], async (f) => {
        expect(f.output()).toContain("fallback to secondary dialer");
        await echoIntact(f.local.get(9000)!, 64 * MiB);
        const results = await Promise.all(
          Array.from({ length: 4 }, () => echoIntact(f.local.get(9000)!, 2 * MiB)),
        );
        expect(results).toHaveLength(4);
      });
    } finally {
      await websocketsGate(true);
    }
  });

  it(
    "throughput of a 256 MiB stream each way (printed for the tunnel benchmark)",
    { timeout: 240_000 },
    async () => {
      const rows: string[] = [];
      for (const spdyOnly of [false, true]) {
        if (spdyOnly) await websocketsGate(false);
        try {
          await withForward(pod, [":9001", ":9002"], async (f) => {
            const size = 256 * MiB;
            const up = random(size);
            const sink = await exchange(f.local.get(9001)!, up);
            expect(sink.got.toString()).toBe(`${sha256(up)}\n`);
            const down = await exchange(f.local.get(9002)!, `${size}\n`);
            const nl = down.got.indexOf(10);
            expect(down.got.length - nl - 1).toBe(size);
            expect(sha256(down.got.subarray(nl + 1))).toBe(down.got.subarray(0, nl).toString());
            const mbs = (s: number) => (size / 1e6 / s).toFixed(1);
            const via = spdyOnly ? "SPDY/3.1 upgrade" : "WebSocket tunnel";
            rows.push(
              `kubectl port-forward (${via}), 256 MiB: upload ${mbs(sink.seconds)} MB/s, download ${mbs(down.sinceFirstByte)} MB/s`,
            );
          });
        } finally {
          if (spdyOnly) await websocketsGate(true);
        }
      }
      console.log(rows.join("\n"));
      expect(rows).toHaveLength(2);
    },
  );
});
