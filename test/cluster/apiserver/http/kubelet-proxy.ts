import { request, type IncomingMessage, type ServerResponse } from "node:http";
import { connect } from "node:net";
import type { Duplex } from "node:stream";
import { ApiError, badRequest } from "./api-error.js";
import { writeError } from "./respond.js";

export interface KubeletAddress {
  host: string;
  port: number;
}

const hopHeaders = new Set([
  "authorization",
  "host",
  "impersonate-user",
  "impersonate-group",
  "impersonate-uid",
  "proxy-authorization",
]);

/** Stream a kubelet GET (container logs) back to the client; kubelet errors become a 400 Status. */
export function proxyStream(
  kubelet: KubeletAddress,
  path: string,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  const up = request(
    { host: kubelet.host, port: kubelet.port, path, method: "GET", headers: { accept: "*/*" } },
    (kres) => {
      const code = kres.statusCode ?? 502;
      if (code >= 200 && code < 300) {
        res.writeHead(200, {
          "Content-Type": kres.headers["content-type"] ?? "text/plain",
          "Transfer-Encoding": "chunked",
        });
        res.flushHeaders();
        kres.pipe(res);
        return;
      }
      const chunks: Buffer[] = [];
      kres.on("data", (c: Buffer) => chunks.push(c));
      kres.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8").trim();
        try {
          const status = JSON.parse(text) as {
            kind?: string;
            code?: number;
            reason?: string;
            message?: string;
          };
          if (status.kind === "Status")
            return writeError(
              res,
              new ApiError(status.code ?? code, status.reason ?? "BadRequest", status.message ?? ""),
            );
        } catch {
          /* plain text */
        }
        writeError(res, badRequest(text || `kubelet answered ${code}`));
      });
    },
  );
  up.on("error", (err) =>
    writeError(
      res,
      new ApiError(
        500,
        "InternalError",
        `Get "http://${kubelet.host}:${kubelet.port}${path}": ${err.message}`,
      ),
    ),
  );
  req.on("close", () => up.destroy());
  up.end();
}

/** Forward an upgrade request (WebSocket or SPDY) and then pipe the raw connection both ways. */
export function proxyUpgrade(
  kubelet: KubeletAddress,
  path: string,
  req: IncomingMessage,
  client: Duplex,
  head: Buffer,
): void {
  // Nagle's algorithm off, as on a Go server's connections: small frames go out at once.
  const up = connect({ host: kubelet.host, port: kubelet.port, noDelay: true });
  up.on("connect", () => {
    let text = `${req.method ?? "GET"} ${path} HTTP/1.1\r\nHost: ${kubelet.host}:${kubelet.port}\r\n`;
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const k = req.rawHeaders[i]!;
      if (hopHeaders.has(k.toLowerCase())) continue;
      text += `${k}: ${req.rawHeaders[i + 1]}\r\n`;
    }
    up.write(text + "\r\n");
    if (head.length) up.write(head);
    up.pipe(client);
    client.pipe(up);
  });
  const close = (): void => {
    up.destroy();
    client.destroy();
  };
  up.on("error", (err) => {
    if (!client.writableEnded && up.bytesRead === 0)
      writeUpgradeError(client, new ApiError(500, "InternalError", `error dialing backend: ${err.message}`));
    close();
  });
  up.on("close", close);
  client.on("error", close);
  client.on("close", close);
}

/** An API error on a connection that asked to upgrade, as a plain HTTP response. */
export function writeUpgradeError(socket: Duplex, err: ApiError): void {
  const body = JSON.stringify(err.toStatus());
  const reason =
    {
      400: "Bad Request",
      401: "Unauthorized",
      403: "Forbidden",
      404: "Not Found",
      500: "Internal Server Error",
    }[err.code] ?? "Error";
  socket.end(
    `HTTP/1.1 ${err.code} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
