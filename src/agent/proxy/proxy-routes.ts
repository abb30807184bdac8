import { readFile } from "node:fs/promises";
import { hostname } from "node:os";
import { onLines } from "../../line-splitter.js";
import { bridge } from "../../tunnel/bridge.js";
import { connectHandler } from "../../tunnel/connect-handler.js";
import { inboundRequest, type InboundEvent } from "../../contract/inbound-protocol.js";
import { describeIssues } from "../../contract/message.js";
import { Paths } from "../../contract/tunnel-protocol.js";
import { readBody, respondError, respondJson, type TunnelRouter } from "../../tunnel/tunnel-router.js";
import { version } from "../../version.js";
import { parseResolvConf } from "../resolv-conf.js";
import { ownHostNames } from "../hosts-file.js";
import { forwardDnsQuery } from "./dns-forwarder.js";
import type { InboundListeners } from "./inbound-listeners.js";

export interface ProxyRouteOptions {
  resolvConfPath: string;
  /** The pod's hosts file (default /etc/hosts). */
  hostsPath?: string;
  listeners: InboundListeners;
  log: (message: string) => void;
}

/** The proxy's side of the tunnel protocol (see tunnel/protocol.ts). */
export function addProxyRoutes(router: TunnelRouter, options: ProxyRouteOptions): TunnelRouter {
  const podResolv = async () => parseResolvConf(await readFile(options.resolvConfPath, "utf8"));
  router.onConnect(connectHandler());
  router.on("GET", Paths.env, (stream) => respondJson(stream, { version, env: process.env }));
  router.on("GET", Paths.resolv, async (stream) => {
    const hosts = await readFile(options.hostsPath ?? "/etc/hosts", "utf8").catch(() => "");
    const hostNames = ownHostNames(hosts, hostname());
    respondJson(stream, { ...(await podResolv()), ...(hostNames ? { hostNames } : {}) });
  });
  router.on("POST", Paths.dns, async (stream) => {
    const query = await readBody(stream, 65_535);
    const answer = await forwardDnsQuery(query, (await podResolv()).nameservers);
    stream.respond({ ":status": 200, "content-type": "application/dns-message" });
    stream.end(answer);
  });
  router.on("POST", Paths.inbound, (stream) => {
    const owner = {};
    const announce = (event: InboundEvent): void => {
      if (!stream.closed && !stream.destroyed) stream.write(JSON.stringify(event) + "\n");
      if (event.event === "listen-error")
        options.log(`cannot listen on ${event.host}:${event.port}: ${event.message}`);
    };
    stream.once("close", () => options.listeners.close(owner));
    // The request is the first line (a few ports: 64 KiB is plenty); later lines mean nothing.
    let first = true;
    onLines(stream, 64 * 1024, (line) => {
      if (!first) return;
      first = false;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        respondError(stream, 400, "the first line must be JSON: {listen:[{port,host}]}");
        return;
      }
      const request = inboundRequest.safeParse(value);
      if (!request.success) {
        respondError(
          stream,
          400,
          `the first line must be {listen:[{port,host}]}: ${describeIssues(request.error)}`,
        );
        return;
      }
      stream.respond({ ":status": 200, "content-type": "application/x-ndjson" });
      options.listeners.open(owner, request.data.listen, announce).catch((err: unknown) => {
        options.log(`inbound listeners failed: ${String(err)}`);
        stream.close();
      });
    });
  });
  router.on("POST", `${Paths.inbound}/`, (stream, headers) => {
    const id = (headers[":path"] ?? "").slice(Paths.inbound.length + 1);
    const socket = options.listeners.take(id);
    if (!socket) {
      respondError(stream, 404, `no pending inbound connection ${id}`);
      return;
    }
    stream.respond({ ":status": 200 });
    bridge(socket, stream);
    socket.resume();
  });
  return router;
}
