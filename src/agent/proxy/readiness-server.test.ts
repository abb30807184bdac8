import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { startReadinessServer } from "./readiness-server.js";

let server: Server | undefined;
const local = (port: number) => ({ port, host: "127.0.0.1" });
afterEach(() => server?.close());

async function probe(path = "/ready"): Promise<{ status: number; ms: number }> {
  const { port } = server!.address() as AddressInfo;
  const started = Date.now();
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  await res.text();
  return { status: res.status, ms: Date.now() - started };
}

describe("the proxy's readiness server", () => {
  it("says ready at once while a session is connected", async () => {
    server = await startReadinessServer(local(0), () => true, 800);
    const r = await probe();
    expect(r.status).toBe(200);
    expect(r.ms).toBeLessThan(400);
  });

  it("answers nothing but the probe's request", async () => {
    server = await startReadinessServer(local(0), () => true, 800);
    expect((await probe("/")).status).toBe(404);
    expect((await probe("/ready?x")).status).toBe(404);
  });

  it("says not ready after its wait when no session comes", async () => {
    server = await startReadinessServer(local(0), () => false, 300);
    const r = await probe();
    expect(r.status).toBe(503);
    expect(r.ms).toBeGreaterThanOrEqual(290);
  });

  it("says ready as soon as a session connects during its wait", async () => {
    let on = false;
    server = await startReadinessServer(local(0), () => on, 5_000);
    setTimeout(() => (on = true), 200);
    const r = await probe();
    expect(r.status).toBe(200);
    expect(r.ms).toBeLessThan(2_000);
  });

  it("fails to start where its port is taken", async () => {
    server = await startReadinessServer(local(0), () => true, 800);
    const { port } = server.address() as AddressInfo;
    await expect(startReadinessServer(local(port), () => true, 800)).rejects.toThrow(/EADDRINUSE/);
  });
});
