import { writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { join } from "node:path";
import { loadKube, type Kube } from "../../src/kube/kube.js";

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

/** An intercept entry whose filter is `x-dev: <value>`. */
export const interceptEntry = (value: string, more: Json = {}) => ({
  filter: { headers: { "x-dev": value } },
  mirror: false,
  workload: "deployment/web",
  since: "2026-01-01T00:00:00Z",
  ...more,
});

/**
 * The API server's part that an intercept's record needs, for unit tests: a Service `web` in
 * namespace `ns` that tp pointed at its router (409 on a stale resourceVersion, as the API server
 * does), sessions' Leases, and DELETE calls that are only recorded.
 */
export class FakeServiceApi {
  service: { metadata: Json & { resourceVersion: string; annotations?: Record<string, string> }; spec: Json };
  /** Live Leases by session id (renewed now); any other session has none. */
  liveSessions = new Set<string>();
  /** `pods/<name>`, `services/<name>` in the order they were deleted. */
  deleted: string[] = [];
  /** Every PATCH of the Service, as sent. */
  patches: Json[] = [];
  /** Called before a PATCH is applied: another writer's change. */
  beforePatch?: () => void;
  /** DELETE calls still to fail (403, not tried again) before any succeeds: the caller stops there. */
  failDeletes = 0;
  /** Called after a DELETE is recorded. */
  afterDelete?: (what: string) => void;
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

  /** The entries recorded on the Service now. */
  entries(): Record<string, Json> {
    return JSON.parse(this.service.metadata.annotations?.["tp.dev/intercepts"] ?? "{}") as Record<
      string,
      Json
    >;
  }

  private async handle(req: IncomingMessage): Promise<[number, unknown]> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = req.url ?? "";
    const notFound: [number, unknown] = [404, { kind: "Status", reason: "NotFound", message: "not found" }];
    const lease = /^\/apis\/coordination\.k8s\.io\/v1\/namespaces\/ns\/leases\/tp-session-([^/?]+)/.exec(url);
    if (lease) {
      if (req.method !== "GET" || !this.liveSessions.has(lease[1]!)) return notFound;
      const now = new Date().toISOString();
      return [
        200,
        {
          apiVersion: "coordination.k8s.io/v1",
          kind: "Lease",
          metadata: { name: `tp-session-${lease[1]}`, namespace: "ns" },
          spec: { leaseDurationSeconds: 30, acquireTime: now, renewTime: now },
        },
      ];
    }
    if (req.method === "DELETE") {
      if (this.failDeletes > 0) {
        this.failDeletes--;
        return [403, { kind: "Status", reason: "Forbidden", message: "injected" }];
      }
      const what = url.replace(/^\/api\/v1\/namespaces\/ns\//, "").replace(/\?.*$/, "");
      this.deleted.push(what);
      this.afterDelete?.(what);
      return [200, { kind: "Status", status: "Success" }];
    }
    if (!url.startsWith("/api/v1/namespaces/ns/services/web")) return notFound;
    if (req.method === "GET") return [200, this.service];
    const patch = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Json & {
      metadata?: { resourceVersion?: string };
    };
    this.beforePatch?.();
    this.beforePatch = undefined;
    const rv = patch.metadata?.resourceVersion;
    if (rv !== undefined && rv !== this.service.metadata.resourceVersion)
      return [409, { kind: "Status", reason: "Conflict", message: "the object has been modified" }];
    this.patches.push(patch);
    this.bump(patch);
    return [200, this.service];
  }

  /** Apply a merge patch as another writer would (a new resourceVersion). */
  bump(patch: Json): void {
    const { resourceVersion: _, ...metadata } = (patch["metadata"] ?? {}) as Json;
    const next = merge(this.service, { ...patch, metadata }) as FakeServiceApi["service"];
    next.metadata.resourceVersion = String(Number(this.service.metadata.resourceVersion) + 1);
    this.service = next;
  }

  /** A client of this server (its kubeconfig is written in `dir`). */
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
