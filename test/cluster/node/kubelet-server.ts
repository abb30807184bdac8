import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type Docker from "dockerode";
import { WebSocketServer, type WebSocket } from "ws";
import { streamLogs } from "./container-logs.js";
import type { Kubelet } from "./kubelet.js";
import { listPodContainers, type PodContainer } from "./docker-runtime.js";
import { PortForwardHelpers } from "./port-forward-helper.js";
import { servePortForward } from "./port-forward.js";
import {
  isSpdyUpgrade,
  serveSpdyPortForward,
  spdyPortForwardProtocols,
  upgradeToSpdy,
} from "./port-forward-spdy.js";
import { attachToContainer, execInContainer } from "./remote-command.js";
import {
  negotiate,
  portForwardProtocols,
  queryFlag,
  queryValues,
  remoteCommandProtocols,
} from "./ws-protocol.js";

class HttpError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

function statusBody(code: number, message: string): string {
  const reason = code === 404 ? "NotFound" : code === 400 ? "BadRequest" : "InternalError";
  return JSON.stringify({
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message,
    reason,
    code,
  });
}

/** The kubelet's HTTP API: exec, attach, portForward (WebSocket or SPDY/3.1) and containerLogs. */
export class KubeletServer {
  private readonly server: Server;
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  private readonly helpers: PortForwardHelpers;

  constructor(
    private readonly docker: Docker,
    private readonly kubelet: Kubelet,
    helpers?: PortForwardHelpers,
  ) {
    this.helpers = helpers ?? new PortForwardHelpers(docker);
    this.server = createServer((req, res) => void this.onRequest(req, res));
    this.server.on("upgrade", (req, socket, head) => void this.onUpgrade(req, socket, head));
  }

  listen(host: string, port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => resolve());
    });
  }

  /** The Docker container of a pod's container: the running one, or with `previous` the one before. */
  private async container(
    ns: string,
    pod: string,
    name: string | undefined,
    previous = false,
  ): Promise<PodContainer> {
    const w = this.kubelet.worker(ns, pod);
    if (!w) throw new HttpError(404, `pod "${pod}" not found`);
    const cname = name || w.pod.spec?.containers[0]?.name;
    const all = (await listPodContainers(this.docker, w.uid)).filter(
      (c) => c.name === cname && (c.role === "app" || c.role === "init"),
    );
    if (!all.length) {
      const known = [...(w.pod.spec?.containers ?? []), ...(w.pod.spec?.initContainers ?? [])].some(
        (c) => c.name === cname,
      );
      if (!known) throw new HttpError(404, `container "${cname}" not found in pod "${pod}"`);
      throw new HttpError(400, `container "${cname}" in pod "${pod}" is waiting to start: ContainerCreating`);
    }
    if (previous) {
      const prev = all.at(-2);
      if (!prev)
        throw new HttpError(400, `previous terminated container "${cname}" in pod "${pod}" not found`);
      return prev;
    }
    return all.at(-1) as PodContainer;
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? "/", "http://kubelet");
      const parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
      if (url.pathname === "/healthz") {
        res.writeHead(200, { "content-type": "text/plain" }).end("ok");
        return;
      }
      if (parts[0] === "containerLogs" && parts.length >= 3) {
        const [, ns = "", pod = "", name] = parts;
        const q = url.searchParams;
        const c = await this.container(ns, pod, name, queryFlag(req, "previous"));
        const num = (k: string) => (q.get(k) ? Number(q.get(k)) : undefined);
        await streamLogs(
          this.docker,
          c.id,
          !!c.info.Config.Tty,
          {
            follow: queryFlag(req, "follow") && c.info.State.Running,
            timestamps: queryFlag(req, "timestamps"),
            tailLines: num("tailLines"),
            sinceSeconds: num("sinceSeconds"),
            sinceTime: q.get("sinceTime") ?? undefined,
            limitBytes: num("limitBytes"),
          },
          res,
        );
        return;
      }
      throw new HttpError(404, `no handler for ${url.pathname}`);
    } catch (e) {
      const code = e instanceof HttpError ? e.code : 500;
      if (!res.headersSent) res.writeHead(code, { "content-type": "application/json" });
      res.end(statusBody(code, (e as Error).message));
    }
  }

  private reject(socket: Duplex, code: number, message: string): void {
    const body = statusBody(code, message);
    socket.end(
      `HTTP/1.1 ${code} ${code === 404 ? "Not Found" : code === 400 ? "Bad Request" : "Error"}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }

  private accept(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    supported: string[],
  ): Promise<WebSocket | undefined> {
    const offered = new Set(
      (req.headers["sec-websocket-protocol"] ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    );
    const chosen = negotiate(offered, supported);
    if (chosen === false) {
      this.reject(
        socket,
        400,
        `requested protocol(s) are not supported: ${[...offered].join(", ")}; supports ${supported.join(", ")}`,
      );
      return Promise.resolve(undefined);
    }
    const wss = new WebSocketServer({
      noServer: true,
      perMessageDeflate: false,
      handleProtocols: () => chosen || false,
    });
    // Paused until the handlers are in place, so early client frames (stdin) are not lost.
    return new Promise((resolve) =>
      wss.handleUpgrade(req, socket, head, (ws) => {
        ws.pause();
        resolve(ws);
      }),
    );
  }

  private async onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    try {
      const url = new URL(req.url ?? "/", "http://kubelet");
      const parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
      const [kind, ns = "", pod = "", name] = parts;
      if (kind === "exec" || kind === "attach") {
        const c = await this.container(ns, pod, name);
        if (!c.info.State.Running) throw new HttpError(400, `container ${c.name} is not running`);
        const opts = {
          stdin: queryFlag(req, "stdin") || queryFlag(req, "input"),
          stdout: queryFlag(req, "stdout") || queryFlag(req, "output"),
          stderr: queryFlag(req, "stderr") || queryFlag(req, "error"),
          tty: queryFlag(req, "tty"),
          protocol: "",
        };
        const command = new URL(req.url ?? "/", "http://k").searchParams.getAll("command");
        if (kind === "exec" && command.length === 0)
          throw new HttpError(400, "you must specify at least 1 command");
        const ws = await this.accept(req, socket, head, remoteCommandProtocols);
        if (!ws) return;
        opts.protocol = ws.protocol;
        if (kind === "exec") await execInContainer(this.docker, ws, c.id, command, opts);
        else await attachToContainer(this.docker, ws, c.id, opts);
        return;
      }
      if (kind === "portForward") {
        const w = this.kubelet.worker(ns, pod);
        if (!w) throw new HttpError(404, `pod "${pod}" not found`);
        const spdy = isSpdyUpgrade(req);
        // Over SPDY each stream names its port; a WebSocket names them all in the query.
        const ports = queryValues(req, "port", "ports").map(Number);
        if (!spdy && (!ports.length || ports.some((p) => !(p > 0 && p < 65536)))) {
          throw new HttpError(400, `query parameter "port" is required and must be a valid port`);
        }
        const infra = (await listPodContainers(this.docker, w.uid))
          .filter((c) => c.role === "infra" && c.info.State.Running)
          .at(-1);
        if (!infra) throw new HttpError(400, `pod "${pod}" has no running sandbox`);
        const md = w.pod.metadata;
        const sock = await this.helpers.socketFor(w.uid, ns, pod, infra.id, w.podDir);
        const dial = (port: number) => this.helpers.dial(sock, port);
        const desc = `${md?.name}_${md?.namespace}, uid ${md?.uid}`;
        if (spdy) {
          const session = upgradeToSpdy(req, socket, head, spdyPortForwardProtocols);
          if (session) serveSpdyPortForward(session, dial, desc);
          return;
        }
        const ws = await this.accept(req, socket, head, portForwardProtocols);
        if (!ws) return;
        servePortForward(ws, ports, dial, desc);
        return;
      }
      throw new HttpError(404, `no handler for ${url.pathname}`);
    } catch (e) {
      this.reject(socket, e instanceof HttpError ? e.code : 500, (e as Error).message);
    }
  }

  close(): void {
    this.wss.close();
    this.server.close();
  }
}
