import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { PassThrough, Readable } from "node:stream";
import { CoreV1Api, Exec, KubeConfig, type V1Pod, type V1Status } from "@kubernetes/client-node";
import { waitFor as poll } from "../../../../src/wait.js";

export const kubeconfigPath = ".test-cluster/kubeconfig";

/** A client of the running test cluster (npm run cluster:up). */
export function clusterClient(): { kc: KubeConfig; core: CoreV1Api } {
  if (!existsSync(kubeconfigPath))
    throw new Error(`${kubeconfigPath} is missing: run npm run cluster:up first`);
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  return { kc, core: kc.makeApiClient(CoreV1Api) };
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString("hex")}`;
}

/** Polls `fn` until it returns a value other than undefined, or fails naming what it waited for. */
export function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  return poll(what, fn, { timeoutMs, intervalMs: 50, retryErrors: true });
}

export function isReady(pod: V1Pod): boolean {
  return !!pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True");
}

export function waitPodReady(
  core: CoreV1Api,
  namespace: string,
  name: string,
  timeoutMs = 30_000,
): Promise<V1Pod> {
  return waitFor(
    `pod ${namespace}/${name} to be Ready`,
    async () => {
      const pod = await core.readNamespacedPod({ name, namespace });
      return isReady(pod) ? pod : undefined;
    },
    timeoutMs,
  );
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  status: V1Status;
}

/** Runs a command in a pod's container through the API server's exec (WebSocket), like kubectl exec. */
export async function execIn(
  kc: KubeConfig,
  namespace: string,
  pod: string,
  container: string,
  command: string[],
  stdin?: string,
): Promise<ExecResult> {
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks = { out: [] as Buffer[], err: [] as Buffer[] };
  out.on("data", (d: Buffer) => chunks.out.push(d));
  err.on("data", (d: Buffer) => chunks.err.push(d));
  const status = await new Promise<V1Status>((resolve, reject) => {
    const input = stdin === undefined ? null : Readable.from([Buffer.from(stdin)]);
    new Exec(kc)
      .exec(namespace, pod, container, command, out, err, input, false, (s) => resolve(s))
      .then((ws) =>
        ws.on("close", () => setTimeout(() => reject(new Error("exec closed without a status")), 500)),
      )
      .catch(reject);
  });
  return {
    stdout: Buffer.concat(chunks.out).toString(),
    stderr: Buffer.concat(chunks.err).toString(),
    status,
  };
}

/** Creates a namespace for a test file; the returned function deletes it. */
export async function withNamespace(
  core: CoreV1Api,
  prefix: string,
): Promise<{ ns: string; remove: () => Promise<void> }> {
  const ns = uniqueName(prefix);
  await core.createNamespace({ body: { metadata: { name: ns } } });
  await waitFor(`default service account in ${ns}`, async () =>
    (await core.readNamespacedServiceAccount({ name: "default", namespace: ns }).catch(() => undefined))
      ? true
      : undefined,
  );
  return {
    ns,
    remove: async () => {
      await core.deleteNamespace({ name: ns }).catch(() => undefined);
    },
  };
}

/** Deletes a pod and waits until the kubelet removed it (graceful deletion finished). */
export async function deletePod(
  core: CoreV1Api,
  namespace: string,
  name: string,
  gracePeriodSeconds = 1,
): Promise<void> {
  try {
    await core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds });
  } catch {
    return;
  }
  await waitFor(
    `pod ${namespace}/${name} to be gone`,
    async () =>
      (await core.readNamespacedPod({ name, namespace }).catch(() => undefined)) ? undefined : true,
    gracePeriodSeconds * 1000 + 15_000,
  );
}
