import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { AppsV1Api, CoreV1Api, KubeConfig, type V1Pod } from "@kubernetes/client-node";
import { execa } from "execa";
import { waitFor as poll } from "../../../../src/wait.js";

/** Access to the running test cluster for end-to-end tests (`npm run cluster:up` made it). */
export const kubeconfigPath = resolve(".test-cluster/kubeconfig");

export function clusterConfig(): KubeConfig {
  if (!existsSync(kubeconfigPath))
    throw new Error(`${kubeconfigPath} is missing: run \`npm run cluster:up\` first`);
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  return kc;
}

export function clients(kc = clusterConfig()): { kc: KubeConfig; core: CoreV1Api; apps: AppsV1Api } {
  return { kc, core: kc.makeApiClient(CoreV1Api), apps: kc.makeApiClient(AppsV1Api) };
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString("hex")}`;
}

export interface KubectlResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Real kubectl against the test cluster; never throws on a non-zero exit. */
export async function kubectl(args: string[], input?: string): Promise<KubectlResult> {
  const r = await execa("kubectl", ["--kubeconfig", kubeconfigPath, ...args], {
    input,
    reject: false,
    timeout: 90_000,
  });
  return { stdout: String(r.stdout), stderr: String(r.stderr), exitCode: r.exitCode ?? -1 };
}

/** kubectl that must succeed: its stdout. */
export async function kubectlOk(args: string[], input?: string): Promise<string> {
  const r = await kubectl(args, input);
  if (r.exitCode !== 0) throw new Error(`kubectl ${args.join(" ")} failed (${r.exitCode}): ${r.stderr}`);
  return r.stdout;
}

/** Polls `probe` until it returns a value other than undefined or false (errors mean "not yet"). */
export function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  return poll(what, async () => ((v) => (v === false ? undefined : v))(await probe()), {
    timeoutMs,
    intervalMs: 100,
    retryErrors: true,
  });
}

export function isReady(pod: V1Pod): boolean {
  return !!pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True");
}

/** The status of an ApiException, from its body's Status object. */
export function statusOf(err: unknown): { code?: number; reason?: string; message?: string } {
  const e = err as { code?: number; body?: unknown };
  let body = e.body;
  if (typeof body === "string") {
    try {
      body = JSON.parse(body);
    } catch {
      /* not JSON */
    }
  }
  const s = (body ?? {}) as { code?: number; reason?: string; message?: string };
  return { code: e.code ?? s.code, reason: s.reason, message: s.message };
}

/** A namespace for one test file. */
export async function withNamespace(prefix: string): Promise<{ name: string; remove: () => Promise<void> }> {
  const name = uniqueName(prefix);
  await kubectlOk(["create", "namespace", name]);
  return { name, remove: async () => void (await kubectl(["delete", "namespace", name, "--wait=false"])) };
}

export function readCa(): Buffer {
  return readFileSync(resolve(".test-cluster/pki/ca.crt"));
}
