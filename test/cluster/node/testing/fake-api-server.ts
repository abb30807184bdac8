import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

type Obj = {
  metadata: Record<string, unknown> & { name: string; namespace?: string; uid?: string };
  [k: string]: unknown;
};

const kinds: Record<string, string> = {
  pods: "Pod",
  services: "Service",
  endpoints: "Endpoints",
  configmaps: "ConfigMap",
  secrets: "Secret",
  nodes: "Node",
  serviceaccounts: "ServiceAccount",
};

function merge(target: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete target[k];
    else if (
      typeof v === "object" &&
      !Array.isArray(v) &&
      typeof target[k] === "object" &&
      target[k] !== null
    ) {
      merge(target[k] as Record<string, unknown>, v as Record<string, unknown>);
    } else target[k] = v;
  }
  return target;
}

/**
 * A minimal in-memory stand-in for the API server (plain HTTP) with just what the node uses:
 * list/watch, create, get, merge patch (also of status), delete, binding and TokenRequest.
 * For developing and unit-testing the node without the real test cluster.
 */
export class FakeApiServer {
  readonly objects = new Map<string, Obj>();
  private rv = 1;
  private readonly watchers = new Set<{ resource: string; res: ServerResponse }>();
  private readonly server: Server = createServer((req, res) => void this.handle(req, res));

  listen(host: string, port: number): Promise<void> {
    return new Promise((r) => this.server.listen(port, host, () => r()));
  }

  close(): void {
    for (const w of this.watchers) w.res.end();
    this.server.close();
  }

  private key(resource: string, ns: string | undefined, name: string): string {
    return `${resource}/${ns ?? ""}/${name}`;
  }

  put(resource: string, obj: Obj, type: "ADDED" | "MODIFIED" = "ADDED"): Obj {
    obj.metadata.uid ??= randomUUID();
    obj.metadata.resourceVersion = String(++this.rv);
    obj.metadata.creationTimestamp ??= new Date().toISOString().replace(/\.\d+Z/, "Z");
    obj.kind = kinds[resource];
    obj.apiVersion = "v1";
    this.objects.set(this.key(resource, obj.metadata.namespace, obj.metadata.name), obj);
    this.notify(resource, type, obj);
    return obj;
  }

  remove(resource: string, ns: string | undefined, name: string): Obj | undefined {
    const k = this.key(resource, ns, name);
    const obj = this.objects.get(k);
    if (!obj) return undefined;
    this.objects.delete(k);
    obj.metadata.resourceVersion = String(++this.rv);
    this.notify(resource, "DELETED", obj);
    return obj;
  }

  get(resource: string, ns: string | undefined, name: string): Obj | undefined {
    return this.objects.get(this.key(resource, ns, name));
  }

  private notify(resource: string, type: string, obj: Obj): void {
    for (const w of this.watchers)
      if (w.resource === resource) w.res.write(JSON.stringify({ type, object: obj }) + "\n");
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://x");
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = chunks.length
      ? (JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>)
      : {};
    const send = (code: number, obj: unknown): void => {
      res.writeHead(code, { "content-type": "application/json" }).end(JSON.stringify(obj));
    };
    const notFound = (): void =>
      send(404, { kind: "Status", status: "Failure", reason: "NotFound", code: 404, message: "not found" });
    const p = url.pathname.split("/").filter(Boolean);
    if (p[0] === "apis") return notFound();
    // /api/v1/[namespaces/ns/]resource[/name[/sub]]
    let i = 2;
    let ns: string | undefined;
    if (p[i] === "namespaces" && p.length > i + 2) {
      ns = p[i + 1];
      i += 2;
    }
    const resource = p[i] ?? "";
    const name = p[i + 1];
    const sub = p[i + 2];
    if (!name) {
      if (req.method === "POST") {
        const obj = body as Obj;
        obj.metadata.namespace = ns;
        if (this.get(resource, ns, obj.metadata.name))
          return send(409, { kind: "Status", code: 409, reason: "AlreadyExists" });
        return send(201, this.put(resource, obj));
      }
      if (url.searchParams.get("watch")) {
        res.writeHead(200, { "content-type": "application/json" });
        const w = { resource, res };
        this.watchers.add(w);
        req.on("close", () => this.watchers.delete(w));
        return;
      }
      const items = [...this.objects.entries()]
        .filter(([k]) => k.startsWith(`${resource}/`))
        .map(([, v]) => v);
      return send(200, { kind: "List", metadata: { resourceVersion: String(this.rv) }, items });
    }
    const obj = this.get(resource, ns, name);
    if (resource === "serviceaccounts" && sub === "token") {
      return send(201, {
        status: {
          token: `token-${ns}-${name}`,
          expirationTimestamp: new Date(Date.now() + 3600e3).toISOString(),
        },
      });
    }
    if (!obj) return notFound();
    if (req.method === "GET") return send(200, obj);
    if (req.method === "DELETE") return send(200, this.remove(resource, ns, name));
    if (req.method === "POST" && sub === "binding") {
      (obj.spec as Record<string, unknown>).nodeName = (body.target as { name: string }).name;
      return send(201, this.put(resource, obj, "MODIFIED"));
    }
    if (req.method === "PATCH") {
      merge(obj as Record<string, unknown>, sub === "status" ? { status: body.status } : body);
      return send(200, this.put(resource, obj, "MODIFIED"));
    }
    return send(405, {});
  }
}
