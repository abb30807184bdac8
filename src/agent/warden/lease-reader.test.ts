import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { inClusterAccess, inClusterLeaseReader, type InClusterAccess } from "./lease-reader.js";

/** An HTTPS API server on 127.0.0.1 with a self-signed certificate (openssl), and a service account's files. */
let dir: string;
let server: Server;
let access: InClusterAccess;
const seen: { path?: string; authorization?: string; socket: unknown }[] = [];
let answer: { code: number; body: unknown } = { code: 200, body: {} };
/** Requests on which the server resets the connection instead of answering. */
let resets = new Set<number>();
const connections: Socket[] = [];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "tp-lease-reader-"));
  execFileSync(
    "openssl",
    ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1"]
      .concat(["-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"])
      .concat(["-keyout", "key.pem", "-out", "ca.crt"]),
    { cwd: dir, stdio: "ignore" },
  );
  writeFileSync(join(dir, "token"), "token-1\n");
  seen.length = 0;
  resets = new Set();
  server = createServer(
    { key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "ca.crt")) },
    (req, res) => {
      seen.push({ path: req.url, authorization: req.headers.authorization, socket: req.socket });
      // The TCP connection under the TLS one (the connections come one at a time here).
      if (resets.has(seen.length)) return void connections.at(-1)?.resetAndDestroy();
      res.writeHead(answer.code, { "content-type": "application/json" }).end(JSON.stringify(answer.body));
    },
  );
  connections.length = 0;
  server.on("connection", (c: Socket) => connections.push(c));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = String((server.address() as AddressInfo).port);
  access = { host: "127.0.0.1", port, tokenFile: join(dir, "token"), caFile: join(dir, "ca.crt") };
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe("inClusterLeaseReader", () => {
  it("reads the Lease's spec with the token as it is on disk at each request, over one connection", async () => {
    answer = {
      code: 200,
      body: { kind: "Lease", spec: { renewTime: "2026-01-01T00:00:00.000000Z", leaseDurationSeconds: 30 } },
    };
    const read = inClusterLeaseReader(access, "ns-1", "tp-session-abc");
    expect(await read()).toEqual({ renewTime: "2026-01-01T00:00:00.000000Z", leaseDurationSeconds: 30 });
    writeFileSync(access.tokenFile, "token-2");
    await read();
    expect(seen.map((s) => [s.path, s.authorization])).toEqual([
      ["/apis/coordination.k8s.io/v1/namespaces/ns-1/leases/tp-session-abc", "Bearer token-1"],
      ["/apis/coordination.k8s.io/v1/namespaces/ns-1/leases/tp-session-abc", "Bearer token-2"],
    ]);
    expect(seen[0]!.socket).toBe(seen[1]!.socket);
  });

  it("asks again on a new connection when the kept one is reset, and only then", async () => {
    answer = { code: 200, body: { spec: { renewTime: "t1" } } };
    const read = inClusterLeaseReader(access, "ns", "l");
    await read();
    resets = new Set([2]);
    expect(await read()).toEqual({ renewTime: "t1" });
    expect(seen).toHaveLength(3);
    expect(seen[2]!.socket).not.toBe(seen[0]!.socket);
    // A reset of a new connection is the poll's failure.
    resets = new Set([4]);
    const fresh = inClusterLeaseReader(access, "ns", "l");
    await expect(fresh()).rejects.toThrow(/ECONNRESET|socket hang up/);
    expect(seen).toHaveLength(4);
  });

  it("gives undefined for a Lease that is gone, and the Status's message for another error", async () => {
    const read = inClusterLeaseReader(access, "ns", "l");
    answer = { code: 404, body: { kind: "Status", message: 'leases "l" not found' } };
    expect(await read()).toBeUndefined();
    answer = { code: 403, body: { kind: "Status", message: "leases is forbidden" } };
    await expect(read()).rejects.toThrow("HTTP 403: leases is forbidden");
  });

  it("trusts only the service account's CA", async () => {
    const other = { ...access, caFile: join(dir, "other.crt") };
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-days",
        "1",
      ].concat(["-subj", "/CN=other", "-keyout", "other.key", "-out", "other.crt"]),
      { cwd: dir, stdio: "ignore" },
    );
    await expect(inClusterLeaseReader(other, "ns", "l")()).rejects.toThrow(/self.signed|verify|certificate/i);
  });

  it("fails on a server that does not answer in time", async () => {
    server.removeAllListeners("request");
    const read = inClusterLeaseReader(access, "ns", "l", 200);
    await expect(read()).rejects.toThrow("no answer in 0.2 s");
  });

  it("fails on a token it cannot send, and nothing of that poll fires later", async () => {
    writeFileSync(access.tokenFile, "bad\u0001token");
    const read = inClusterLeaseReader(access, "ns", "l", 100);
    await expect(read()).rejects.toThrow(/invalid character/i);
    // A timer left behind would throw out of the event loop after 100 ms (the warden would die).
    await new Promise((r) => setTimeout(r, 300));
    expect(seen).toHaveLength(0);
  });

  it("fails on an answer that is still coming when its time is up, however often bytes come", async () => {
    server.removeAllListeners("request");
    const trickles: NodeJS.Timeout[] = [];
    server.on("request", (_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write("{");
      trickles.push(setInterval(() => res.write(" "), 50));
    });
    try {
      const read = inClusterLeaseReader(access, "ns", "l", 300);
      const started = Date.now();
      await expect(read()).rejects.toThrow("no answer in 0.3 s");
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      trickles.forEach(clearInterval);
    }
  }, 5_000);
});

describe("inClusterAccess", () => {
  it("takes the API server from the pod's environment and the service account's files, and says what is missing", () => {
    const env = { KUBERNETES_SERVICE_HOST: "fd00::1", KUBERNETES_SERVICE_PORT: "443" };
    expect(inClusterAccess(env, dir)).toEqual({
      host: "fd00::1",
      port: "443",
      tokenFile: join(dir, "token"),
      caFile: join(dir, "ca.crt"),
    });
    expect(() => inClusterAccess({}, dir)).toThrow("not in a pod");
    rmSync(join(dir, "token"));
    expect(() => inClusterAccess(env, dir)).toThrow(`${join(dir, "token")} does not exist`);
  });
});
