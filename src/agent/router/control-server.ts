import { createServer, type Server, type Socket } from "node:net";
import {
  controlLine,
  describeFilter,
  maxControlLineBytes,
  readControlRequest,
  type ControlAnswer,
} from "../../contract/router-control.js";
import type { Rule, Rules } from "./rules.js";

/** Sessions that say nothing for this long after connecting are closed. */
const registerTimeoutMs = 10_000;

/**
 * The router's control port: each connection registers one session's rule (newline-delimited
 * JSON, contract/router-control.ts), then reports its tunnel going up and down. The rule lives
 * exactly as long as the connection. A line that is not a known message closes the connection.
 */
export function createControlServer(rules: Rules, log: (message: string) => void): Server {
  return createServer((socket) => serveControl(socket, rules, log));
}

function serveControl(socket: Socket, rules: Rules, log: (message: string) => void): void {
  socket.setKeepAlive(true, 10_000);
  socket.setNoDelay(true);
  socket.on("error", () => undefined);
  let rule: Rule | undefined;
  let partial = "";
  const who = `${socket.remoteAddress}:${socket.remotePort}`;
  const answer = (message: ControlAnswer) => socket.write(controlLine(message));
  const fail = (reason: string) => {
    log(`control ${who}: ${reason}`);
    socket.destroy();
  };
  const timer = setTimeout(() => {
    if (!rule) fail("no registration");
  }, registerTimeoutMs);
  timer.unref();
  socket.once("close", () => {
    clearTimeout(timer);
    if (!rule) return;
    rules.remove(rule);
    log(`session ${rule.sessionId} unregistered (${rules.size} left)`);
    rule = undefined;
  });

  const onLine = (line: string) => {
    if (line.trim() === "") return;
    const read = readControlRequest(line);
    if ("refused" in read) return fail(`not a control message: ${read.refused}`);
    const message = read.message;
    if (message.type === "tunnel") {
      if (!rule) return fail("tunnel state before registration");
      if (rule.up !== message.up) log(`session ${rule.sessionId}: tunnel ${message.up ? "up" : "down"}`);
      rule.up = message.up;
      return;
    }
    if (rule) return fail("registered twice on one connection");
    const added = rules.add(message, () => {
      rule = undefined;
      socket.destroy();
    });
    if ("refused" in added) {
      log(`session ${message.sessionId} refused: ${added.refused}`);
      answer({ type: "refused", reason: added.refused });
      socket.end();
      return;
    }
    rule = added;
    log(
      `session ${rule.sessionId} registered: ${describeFilter(rule.filter)}${rule.mirror ? " (mirror)" : ""} -> ${rule.target}`,
    );
    answer({ type: "registered" });
  };

  socket.setEncoding("utf8");
  socket.on("data", (chunk: string) => {
    const lines = (partial + chunk).split("\n");
    partial = lines.pop() ?? "";
    if (Buffer.byteLength(partial) > maxControlLineBytes) return fail("line too long");
    for (const line of lines) {
      if (socket.destroyed) return;
      onLine(line);
    }
  });
}
