import { execa } from "execa";
import { readFileSync } from "node:fs";
import { waitFor } from "../../../src/wait.js";
import { kubectl, liveTpObjects } from "./cluster.js";
import { RunningTp, runTp } from "./tp.js";

export const fixture = (name: string) =>
  readFileSync(new URL(`../fixtures/${name}`, import.meta.url), "utf8");

/** Poll until check gives a truthy value (an error counts as not yet); the time it took. */
export async function until(what: string, check: () => Promise<unknown>, ms: number): Promise<number> {
  const started = Date.now();
  await waitFor(what, async () => ((await check()) ? true : undefined), {
    timeoutMs: ms,
    intervalMs: 500,
    retryErrors: true,
  });
  return Date.now() - started;
}

export interface Workload {
  spec: { replicas: number };
  status?: { readyReplicas?: number };
  metadata: { annotations?: Record<string, string> };
}

export async function getObject(namespace: string, what: string): Promise<Workload> {
  return JSON.parse(await kubectl(["get", what, "-n", namespace, "-o", "json"])) as Workload;
}

/** The objects a tp session made in the namespace (labelled), without those being deleted. */
export function sessionObjects(namespace: string): Promise<string[]> {
  return liveTpObjects(namespace, "pods,leases,serviceaccounts,roles,rolebindings");
}

/** Whether a workload has its replicas back (and ready, if asked) and no tp annotation left. */
export async function isRestored(
  namespace: string,
  what: string,
  replicas: number,
  ready = true,
): Promise<boolean> {
  const o = await getObject(namespace, what);
  return (
    o.spec.replicas === replicas &&
    (!ready || (o.status?.readyReplicas ?? 0) === replicas) &&
    !Object.keys(o.metadata.annotations ?? {}).some((k) => k.startsWith("tp.dev/"))
  );
}

/**
 * Swap a workload with a container that says "started" and waits; kill -9 tp once the workload is
 * at 0; the cluster must put it back (and remove the session's objects) within 60 s.
 */
export async function killedSwapIsUndone(
  namespace: string,
  target: string,
  what: string,
  replicas: number,
): Promise<number> {
  const tp = new RunningTp([
    "docker-run",
    "-n",
    namespace,
    "--swap",
    target,
    "--",
    "tp-test-busybox:local",
    "sh",
    "-c",
    "echo started; sleep 600",
  ]);
  let session = "";
  try {
    await tp.waitFor(/started/, 120_000);
    session = /-tp-([0-9a-f]{8})/.exec(tp.stderr)?.[1] ?? "";
    await until(
      "the workload is at 0",
      async () => (await getObject(namespace, what)).spec.replicas === 0,
      20_000,
    );
    // The workload's controller leaves the proxy alone (a ReplicaSet adopts the pods it selects).
    await new Promise((r) => setTimeout(r, 3000));
    const proxies = JSON.parse(
      await kubectl(["get", "pods", "-n", namespace, "-l", "tp.dev/role=proxy", "-o", "json"]),
    ).items as { metadata: { deletionTimestamp?: string; ownerReferences?: { kind: string }[] } }[];
    if (proxies.length !== 1 || proxies[0]?.metadata.deletionTimestamp)
      throw new Error(`the proxy pod did not survive: ${JSON.stringify(proxies.map((p) => p.metadata))}`);
    tp.process.kill("SIGKILL");
    await tp.processExited();
    const took = await until(
      `${what} restored by the cluster`,
      async () =>
        (await isRestored(namespace, what, replicas, false)) &&
        (await sessionObjects(namespace)).length === 0,
      60_000,
    );
    await until(`${what} ready again`, () => isRestored(namespace, what, replicas), 90_000);
    return took;
  } finally {
    // The local containers first: after a SIGKILL, the docker CLI that tp started keeps tp's
    // output open until its container ends.
    await runTp(["cleanup", "-n", namespace]);
    if (session)
      await execa("docker", ["rm", "-f", `tp-${session}`, `tp-${session}-sidecar`]).catch(() => undefined);
    await tp.kill();
  }
}

/** A Deployment `aliased` of one idle busybox pod whose spec has these hostAliases. */
export function aliasedDeployment(
  aliases: { ip: string; hostnames: string[] }[],
  /** More of the pod's spec (hostname, subdomain…). */
  spec: Record<string, unknown> = {},
): string {
  return JSON.stringify({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "aliased" },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: "aliased" } },
      template: {
        metadata: { labels: { app: "aliased" } },
        spec: {
          hostAliases: aliases,
          ...spec,
          containers: [
            {
              name: "main",
              image: "tp-test-busybox:local",
              imagePullPolicy: "Never",
              command: ["sleep", "3600"],
            },
          ],
        },
      },
    },
  });
}
