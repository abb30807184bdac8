import { execa, type ResultPromise } from "execa";
import { createHash, randomBytes } from "node:crypto";
import { connect, createServer, type AddressInfo } from "node:net";
import { kubeconfig } from "./cluster.js";

/** A running `kubectl port-forward`: its local port for each remote port, and all it printed. */
export interface KubectlForward {
  local: Map<number, number>;
  output: () => string;
  exited: () => boolean;
  stop: () => Promise<void>;
}

/** Start real kubectl port-forward (at -v=4, which names the dialer it used) and wait for its listeners. */
export async function kubectlPortForward(
  namespace: string,
  target: string,
  ports: string[],
): Promise<KubectlForward> {
  const proc: ResultPromise = execa(
    "kubectl",
    [
      "--kubeconfig",
      kubeconfig,
      "-n",
      namespace,
      "port-forward",
      "--address",
      "127.0.0.1",
      "-v=4",
      target,
      ...ports,
    ],
    { reject: false, all: true, buffer: false },
  );
  let out = "";
  let done = false;
  proc.all?.on("data", (d: Buffer) => (out += d.toString()));
  void proc.then(() => (done = true));
  const stop = async () => {
    proc.kill("SIGTERM");
    await proc;
  };
  const started = Date.now();
  const listening = () => [...out.matchAll(/Forwarding from 127\.0\.0\.1:(\d+) -> (\d+)/g)];
  while (listening().length < ports.length) {
    if (done || Date.now() - started > 30_000) {
      await stop();
      throw new Error(`kubectl port-forward did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const local = new Map(listening().map((m) => [Number(m[2]), Number(m[1])]));
  return { local, output: () => out, exited: () => done, stop };
}

/** A local port nobody listens on (for the LOCAL:REMOTE form). */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export const sha256 = (b: Buffer | Buffer[]) => {
  const h = createHash("sha256");
  for (const x of Array.isArray(b) ? b : [b]) h.update(x);
  return h.digest("hex");
};

/**
 * One connection: send `data` (then half-close) while reading all the peer sends until it closes.
 * Resolves with what came back, the seconds from connecting to the end and from the first byte back.
 */
export function exchange(
  port: number,
  data: Buffer | string,
): Promise<{ got: Buffer; seconds: number; sinceFirstByte: number }> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    let first: bigint | undefined;
    const chunks: Buffer[] = [];
    const s = connect({ port, host: "127.0.0.1", allowHalfOpen: true }, () => s.end(data));
    s.on("data", (d: Buffer) => {
      first ??= process.hrtime.bigint();
      chunks.push(d);
    });
    s.on("end", () => {
      const now = process.hrtime.bigint();
      resolve({
        got: Buffer.concat(chunks),
        seconds: Number(now - t0) / 1e9,
        sinceFirstByte: Number(now - (first ?? now)) / 1e9,
      });
    });
    s.on("error", reject);
  });
}

export const random = (bytes: number) => randomBytes(bytes);
