import { execa } from "execa";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { waitFor } from "../../../src/wait.js";
import { loadKube, type Kube } from "../../../src/kube/kube.js";

/** The kubeconfig `npm run cluster:up` writes for the test cluster. */
export const kubeconfig = resolve(".test-cluster/kubeconfig");

export function requireCluster(): void {
  if (!existsSync(kubeconfig)) throw new Error(`${kubeconfig} is missing: run \`npm run cluster:up\` first`);
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString("hex")}`;
}

export function testKube(namespace?: string): Kube {
  return loadKube({ kubeconfig, ...(namespace ? { namespace } : {}) });
}

/** Real kubectl against the test cluster. */
export async function kubectl(args: string[], input?: string): Promise<string> {
  const r = await execa("kubectl", ["--kubeconfig", kubeconfig, ...args], { input, timeout: 60_000 });
  return r.stdout;
}

/**
 * The objects of the given kinds that tp made in a namespace and that are not being deleted, as
 * `Kind/name` (a pod in its grace period counts as gone).
 */
export async function liveTpObjects(namespace: string, kinds: string): Promise<string[]> {
  const out = await kubectl([
    "get",
    kinds,
    "-n",
    namespace,
    "-l",
    "app.kubernetes.io/managed-by=tp",
    "-o",
    "json",
  ]);
  return (JSON.parse(out).items as { kind: string; metadata: { name: string; deletionTimestamp?: string } }[])
    .filter((i) => !i.metadata.deletionTimestamp)
    .map((i) => `${i.kind}/${i.metadata.name}`);
}

/** A namespace of its own for a test file; remove it with the returned function. */
export async function createNamespace(
  prefix: string,
): Promise<{ name: string; remove: () => Promise<void> }> {
  const name = uniqueName(prefix);
  await kubectl(["create", "namespace", name]);
  return {
    name,
    remove: async () => {
      await kubectl(["delete", "namespace", name, "--wait=false"]).catch(() => undefined);
    },
  };
}

export async function apply(namespace: string, manifest: string): Promise<void> {
  await kubectl(["apply", "-n", namespace, "-f", "-"], manifest);
}

/** Wait until a Deployment has all its replicas ready. */
export async function rolloutStatus(namespace: string, deployment: string): Promise<void> {
  await kubectl(["rollout", "status", "-n", namespace, `deployment/${deployment}`, "--timeout=60s"]);
}

/** Wait until `check` holds; returns how long that took (throws naming `what` after `ms`). */
export async function until(
  what: string,
  check: () => Promise<boolean> | boolean,
  ms: number,
  intervalMs = 1000,
): Promise<number> {
  const started = Date.now();
  await waitFor(what, async () => ((await check()) ? true : undefined), { timeoutMs: ms, intervalMs });
  return Date.now() - started;
}
