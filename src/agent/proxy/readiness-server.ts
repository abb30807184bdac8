import { createServer, type Server } from "node:http";

/** The path the probe asks (templates/proxy-container.yaml). */
export const readinessPath = "/ready";

/** How long a probe that finds no session waits for one before it answers "no". */
export const readinessWaitMs = 800;

/**
 * The proxy's readiness, answered over HTTP to the kubelet's httpGet probe: 200 while a session is
 * connected. Otherwise the answer waits up to `waitMs` for one, so that the pod turns Ready as soon
 * as a session connects rather than a probe period later, then says 503. An HTTP probe costs the
 * node one connection; an exec probe, which this replaces, started a process in the container each
 * second (about 0.06–0.09 CPU seconds of the container runtime's each time).
 */
export async function startReadinessServer(
  on: { port: number; host?: string } | { fd: number },
  serving: () => boolean,
  waitMs = readinessWaitMs,
): Promise<Server> {
  const server = createServer((req, res) => {
    req.resume();
    // Only the probe's request: a program that reaches this port by mistake gets no "yes".
    if (req.method !== "GET" || req.url !== readinessPath)
      return void res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
    const since = Date.now();
    const answer = () => {
      if (res.destroyed) return;
      const yes = serving();
      if (!yes && Date.now() - since < waitMs) return void setTimeout(answer, 25);
      res
        .writeHead(yes ? 200 : 503, { "content-type": "text/plain" })
        .end(yes ? "serving\n" : "no session\n");
    };
    answer();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    // No host: every address of the pod, IPv6 and IPv4 (the kubelet probes the pod's IP). A
    // socket inherited from tp-listen: probes made while the agent started waited in its backlog.
    server.listen(on, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return server;
}
