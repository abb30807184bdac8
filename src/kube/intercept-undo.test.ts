import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { removeIntercept } from "./intercept-undo.js";
import { loadKube, type Kube } from "./kube.js";

type Json = Record<string, unknown>;

/** RFC 7386: null removes, objects merge, anything else replaces. */
function merge(target: unknown, patch: unknown): unknown {
  if (!patch || typeof patch !== "object" || Array.isArray(patch)) return patch;
  const out: Json = target && typeof target === "object" ? { ...(target as Json) } : {};
  for (const [k, v] of Object.entries(patch as Json)) {
    if (v === null) delete out[k];
    else out[k] = merge(out[k], v);
  }
  return out;
}

const entry = (workload: string) => ({
  filter: { headers: { "x-dev": workload } },
  mirror: false,
  workload: "deployment/web",
  since: "2026-01-01T00:00:00Z",
});

/** A Service `web` that tp pointed at its router, served as the API server would (409 on a stale resourceVersion). */
class FakeApi {
  service: { metadata: Json & { resourceVersion: string; annotations?: Record<string, string> }; spec: Json };
  deleted: string[] = [];
  /** Called before a PATCH is applied: another writer's change. */
  beforePatch?: () => void;
  private server: Server;

  constructor(entries: Record<string, unknown>) {
    this.service = {
      metadata: {
        name: "web",
        namespace: "ns",
        resourceVersion: "1",
        annotations: {
          "tp.dev/intercepts": JSON.stringify(entries),
          "tp.dev/original-selector": JSON.stringify({ app: "web" }),
        },
      },
      spec: { selector: { "tp.dev/router": "web" } },
    };
    this.server = createServer(
      (req, res) =>
        void this.handle(req).then(([code, body]) =>
          res.writeHead(code, { "content-type": "application/json" }).end(JSON.stringify(body)),
        ),
    );
  }

  private async handle(req: IncomingMessage): Promise<[number, unknown]> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = req.url ?? "";
    if (req.method === "DELETE") {
      this.deleted.push(url.replace(/^\/api\/v1\/namespaces\/ns\//, "").replace(/\?.*$/, ""));
      return [200, { kind: "Status", status: "Success" }];
    }
    if (!url.startsWith("/api/v1/namespaces/ns/services/web"))
      return [404, { kind: "Status", message: "not found" }];
    if (req.method === "GET") return [200, this.service];
    const patch = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
      metadata?: { resourceVersion?: string };
    };
    this.beforePatch?.();
    this.beforePatch = undefined;
    const rv = patch.metadata?.resourceVersion;
    if (rv !== undefined && rv !== this.service.metadata.resourceVersion)
      return [409, { kind: "Status", reason: "Conflict", message: "the object has been modified" }];
    this.bump(patch);
    return [200, this.service];
  }

  bump(patch: Json): void {
    const next = merge(this.service, patch) as FakeApi["service"];
    next.metadata.resourceVersion = String(Number(this.service.metadata.resourceVersion) + 1);
    this.service = next;
  }

  async kube(dir: string): Promise<Kube> {
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", r));
    const port = (this.server.address() as { port: number }).port;
    const file = join(dir, "config");
    writeFileSync(
      file,
      `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: c, context: {cluster: c, user: u, namespace: ns}}]\ncurrent-context: c\n`,
    );
    return loadKube({ kubeconfig: file });
  }

  close(): void {
    this.server.close();
  }
}

let dir: string;
let api: FakeApi | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "tp-undo-"));
});
afterEach(() => {
  api?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("removeIntercept", () => {
  it("removes the last entry and puts the selector back in one patch, then deletes the router and the shadow", async () => {
    api = new FakeApi({ aaaa: entry("a") });
    const done = await removeIntercept(await api.kube(dir), "ns", "web", "aaaa");
    expect(api.service.spec["selector"]).toEqual({ app: "web" });
    expect(api.service.metadata.annotations ?? {}).toEqual({});
    expect(api.deleted).toEqual(["pods/tp-router-web", "services/tp-orig-web"]);
    expect(done).toContain("service ns/web selects its own pods again");
  });

  it("reads again when another session's entry came meanwhile, and then leaves the router to it", async () => {
    api = new FakeApi({ aaaa: entry("a") });
    const other = api;
    api.beforePatch = () =>
      other.bump({
        metadata: {
          annotations: { "tp.dev/intercepts": JSON.stringify({ aaaa: entry("a"), bbbb: entry("b") }) },
        },
      });
    await removeIntercept(await api.kube(dir), "ns", "web", "aaaa");
    expect(JSON.parse(api.service.metadata.annotations?.["tp.dev/intercepts"] ?? "{}")).toEqual({
      bbbb: entry("b"),
    });
    expect(api.service.spec["selector"]).toEqual({ "tp.dev/router": "web" });
    expect(api.deleted).toEqual([]);
  });

  it("is done again without harm: nothing left, nothing recorded", async () => {
    api = new FakeApi({});
    const kube = await api.kube(dir);
    await removeIntercept(kube, "ns", "web", "aaaa");
    const again = await removeIntercept(kube, "ns", "web", "aaaa");
    expect(api.service.spec["selector"]).toEqual({ app: "web" });
    expect(again.filter((l) => l.includes("selects"))).toEqual([]);
  });
});
