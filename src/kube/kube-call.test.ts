import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ApiException } from "@kubernetes/client-node";
import { kubeCall, toKubernetesError } from "./kube-call.js";
import { loadKube } from "./kube.js";

describe("kubeCall's timeout", () => {
  let server: Server | undefined;
  let dir = "";
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("aborts the request it gave up on: the server sees it go", async () => {
    const closed: number[] = [];
    const started = Date.now();
    server = createServer((req: IncomingMessage) => {
      // Never answers; notes when the client goes away.
      req.socket.once("close", () => closed.push(Date.now() - started));
    });
    await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
    const port = (server.address() as AddressInfo).port;
    dir = mkdtempSync(join(tmpdir(), "tp-kube-call-"));
    const file = join(dir, "config");
    writeFileSync(
      file,
      [
        "apiVersion: v1",
        "kind: Config",
        "clusters: [{name: c, cluster: {server: 'http://127.0.0.1:" +
          port +
          "', insecure-skip-tls-verify: true}}]",
        "users: [{name: u, user: {token: t}}]",
        "contexts: [{name: x, context: {cluster: c, user: u}}]",
        "current-context: x",
      ].join("\n"),
    );
    const kube = loadKube({ kubeconfig: file });
    await expect(
      kubeCall("read a pod", () => kube.core.readNamespacedPod({ name: "p", namespace: "n" }), 0, 300),
    ).rejects.toThrow(/did not answer within 0.3 s/);
    await new Promise((r) => setTimeout(r, 500));
    expect(closed).toHaveLength(1);
  });
});

describe("toKubernetesError", () => {
  const refused = (message: string) =>
    toKubernetesError("create pod ns/p", new ApiException(403, "Forbidden", JSON.stringify({ message }), {}));

  it("points a quota's or a limit range's refusal at them, not at the user's rights", () => {
    const quota = refused(
      'pods "p" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2',
    );
    expect(quota.message).toBe(
      'create pod ns/p: pods "p" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2',
    );
    expect(quota.hint).toMatch(/ResourceQuota or LimitRange/);
    expect(
      refused('pods "p" is forbidden: maximum cpu usage per Container is 100m, but limit is 1').hint,
    ).toMatch(/ResourceQuota or LimitRange/);
    expect(refused('pods "p" is forbidden: User "u" cannot create resource "pods"').hint).toMatch(
      /auth can-i/,
    );
  });
});
