import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { connect } from "node:net";
import type { V1Container, V1Probe } from "@kubernetes/client-node";
import type Docker from "dockerode";
import { execStateAfterOutput, type ExecState } from "./exec-exit.js";

/** Where a probe runs: the pod's IP and the Docker container for exec probes. */
export interface ProbeTarget {
  podIP: string;
  containerId: string;
  container: V1Container;
}

function resolvePort(port: number | string, c: V1Container): number {
  if (typeof port === "number") return port;
  if (/^\d+$/.test(port)) return Number(port);
  const p = c.ports?.find((x) => x.name === port);
  if (!p) throw new Error(`port ${port} not found`);
  return p.containerPort;
}

/**
 * An exec probe, as the kubelet runs one through its Docker runtime: false when the command
 * exits non-zero or outlives the probe's timeout; throws where Docker fails (the exec's stream
 * breaks, its state cannot be read), which the kubelet counts as no result at all.
 */
export async function execProbe(
  docker: Docker,
  t: ProbeTarget,
  command: string[],
  timeoutMs: number,
  options?: { reads?: number; intervalMs?: number },
): Promise<boolean> {
  const exec = await docker
    .getContainer(t.containerId)
    .exec({ Cmd: command, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  stream.resume();
  const outcome = await new Promise<"ended" | "timeout" | Error>((resolve) => {
    const timer = setTimeout(() => {
      resolve("timeout");
      stream.destroy();
    }, timeoutMs);
    const settle = (value: "ended" | Error) => (clearTimeout(timer), resolve(value));
    stream.on("end", () => settle("ended"));
    stream.on("close", () => settle("ended"));
    stream.on("error", (err: Error) => settle(err));
  });
  // Past its timeout the probe fails, as the kubelet's exec does.
  if (outcome === "timeout") return false;
  if (outcome instanceof Error) throw outcome;
  return execProbeResult(await execStateAfterOutput(() => exec.inspect(), options));
}

/**
 * An exec probe's result from its state once its output ended: its exit code, or success where
 * Docker still says it runs after every read, as the kubelet's Docker runtime answers then.
 */
function execProbeResult(state: ExecState): boolean {
  return state.Running || state.ExitCode === 0;
}

function tcpProbe(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port, timeout: timeoutMs });
    s.on("connect", () => (s.destroy(), resolve(true)));
    s.on("timeout", () => (s.destroy(), resolve(false)));
    s.on("error", () => resolve(false));
  });
}

function httpProbe(url: URL, headers: Record<string, string>, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = (url.protocol === "https:" ? httpsRequest : httpRequest)(
      url,
      {
        method: "GET",
        headers: { "user-agent": "kube-probe/1.32", accept: "*/*", ...headers },
        timeout: timeoutMs,
        rejectUnauthorized: false,
      },
      (res) => {
        res.resume();
        const code = res.statusCode ?? 0;
        resolve(code >= 200 && code < 400);
      },
    );
    req.on("timeout", () => (req.destroy(), resolve(false)));
    req.on("error", () => resolve(false));
    req.end();
  });
}

/**
 * Runs one probe once, like the kubelet's prober: true for success, false for failure, undefined
 * where the probe itself errored (a Docker call failed, a named port is unknown): the kubelet's
 * prober worker throws such a result away.
 */
export async function runProbe(docker: Docker, probe: V1Probe, t: ProbeTarget): Promise<boolean | undefined> {
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  try {
    if (probe.exec) return await execProbe(docker, t, probe.exec.command ?? [], timeoutMs);
    if (probe.tcpSocket) {
      return await tcpProbe(
        probe.tcpSocket.host || t.podIP,
        resolvePort(probe.tcpSocket.port, t.container),
        timeoutMs,
      );
    }
    if (probe.httpGet) {
      const g = probe.httpGet;
      const scheme = (g.scheme ?? "HTTP").toLowerCase();
      const host = g.host || t.podIP;
      const path = g.path ? (g.path.startsWith("/") ? g.path : `/${g.path}`) : "/";
      const url = new URL(`${scheme}://${host}:${resolvePort(g.port, t.container)}${path}`);
      const headers = Object.fromEntries((g.httpHeaders ?? []).map((h) => [h.name, h.value]));
      return await httpProbe(url, headers, timeoutMs);
    }
    if (probe.grpc) return await tcpProbe(t.podIP, probe.grpc.port, timeoutMs);
    return true;
  } catch {
    return undefined;
  }
}
