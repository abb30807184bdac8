import { Exec, type V1Status } from "@kubernetes/client-node";
import { PassThrough, type Readable } from "node:stream";
import { TpError } from "../errors.js";
import type { Kube } from "./kube.js";

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Run a command in a pod's container through the API server and collect its output. */
export async function execInPod(
  kube: Kube,
  namespace: string,
  pod: string,
  container: string,
  command: string[],
  timeoutMs = 15_000,
): Promise<ExecResult> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const stdout = new PassThrough().on("data", (c: Buffer) => out.push(c));
  const stderr = new PassThrough().on("data", (c: Buffer) => err.push(c));
  const what = `exec ${command.join(" ")} in pod ${namespace}/${pod}`;
  const status = await new Promise<V1Status>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new TpError("timeout", `${what}: no answer within ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
    new Exec(kube.config)
      .exec(namespace, pod, container, command, stdout, stderr, null, false, (s) => {
        clearTimeout(timer);
        // The status may come before the last output frames have been handled.
        setImmediate(() => resolve(s));
      })
      .catch((e: unknown) => {
        clearTimeout(timer);
        reject(new TpError("cluster-error", `${what}: ${(e as Error).message ?? e}`, { cause: e }));
      });
  });
  let exitCode = 0;
  if (status.status !== "Success") {
    const cause = status.details?.causes?.find((c) => c.reason === "ExitCode");
    if (!cause) throw new TpError("cluster-error", `${what}: ${status.message ?? "failed"}`);
    exitCode = Number(cause.message);
  }
  return {
    stdout: Buffer.concat(out).toString("utf8"),
    stderr: Buffer.concat(err).toString("utf8"),
    exitCode,
  };
}

/**
 * Run a command in a pod's container and stream its stdout (a tar, for instance). `done`
 * resolves when it exits 0 and rejects with its stderr otherwise, or when the exec is refused.
 */
export function execStream(
  kube: Kube,
  namespace: string,
  pod: string,
  container: string,
  command: string[],
): { stdout: Readable; done: Promise<void> } {
  const stdout = new PassThrough();
  const err: Buffer[] = [];
  const stderr = new PassThrough().on("data", (c: Buffer) => err.push(c));
  const what = `exec ${command[0]} in pod ${namespace}/${pod}`;
  const done = new Promise<void>((resolve, reject) => {
    new Exec(kube.config)
      .exec(namespace, pod, container, command, stdout, stderr, null, false, (s) => {
        // The status may come before the last output frames have been handled.
        setImmediate(() => {
          stdout.end();
          if (s.status === "Success") resolve();
          else
            reject(
              new Error(`${what}: ${Buffer.concat(err).toString("utf8").trim() || s.message || "failed"}`),
            );
        });
      })
      .catch((e: unknown) => {
        stdout.destroy();
        reject(new TpError("cluster-error", `${what}: ${(e as Error).message ?? e}`, { cause: e }));
      });
  });
  done.catch(() => undefined);
  return { stdout, done };
}
