import { execa } from "execa";
import { readFileSync } from "node:fs";
import { apply, createNamespace, kubectl, rolloutStatus } from "./cluster.js";
import { RunningTp } from "./tp.js";
import { waitFor } from "../../../src/wait.js";

export async function dockerExec(container: string, command: string[]): Promise<string> {
  return (await execa("docker", ["exec", container, ...command])).stdout;
}

/** Wait until `probe` gives a value; returns how long that took. */
export async function within<T>(
  ms: number,
  what: string,
  probe: () => Promise<T | undefined>,
): Promise<number> {
  const started = Date.now();
  await waitFor(what, probe, { timeoutMs: ms, intervalMs: 100, retryErrors: true });
  return Date.now() - started;
}

/** The user container's command: "== ready", then it waits for /tmp/stop (2 minutes at most). */
export const waitScript =
  "echo '== ready'; i=0; while [ ! -e /tmp/stop ] && [ $i -lt 1200 ]; do sleep 0.1; i=$((i+1)); done";

/** The name of a session's proxy pod for `workload` in `namespace` (not one being deleted). */
export async function proxyPodOf(namespace: string, workload: string): Promise<string> {
  const pods = JSON.parse(await kubectl(["get", "pods", "-n", namespace, "-o", "json"])) as {
    items: { metadata: { name: string; deletionTimestamp?: string } }[];
  };
  const pod = pods.items.find(
    (p) => p.metadata.name.startsWith(`${workload}-tp-`) && !p.metadata.deletionTimestamp,
  );
  if (!pod) throw new Error(`no proxy pod of ${workload}`);
  return pod.metadata.name;
}

/** The session folder tp names on stderr. */
export function folderOf(tp: RunningTp): string {
  const m = /volume\(s\) copied to (\S+):/.exec(tp.stderr);
  if (!m?.[1]) throw new Error(`no session folder in:\n${tp.stderr}`);
  return m[1];
}

/** The Deployment of fixtures/volumes-app.yaml (ConfigMap, Secret, emptyDir and a writer) in a namespace of its own. */
export class VolumesApp {
  private constructor(readonly ns: Awaited<ReturnType<typeof createNamespace>>) {}

  static async create(prefix: string): Promise<VolumesApp> {
    const ns = await createNamespace(prefix);
    await apply(ns.name, readFileSync("test/e2e/fixtures/volumes-app.yaml", "utf8"));
    await rolloutStatus(ns.name, "volapp");
    return new VolumesApp(ns);
  }

  /** tp docker-run swapping volapp for a busybox container named `name` that runs waitScript. */
  startTp(name: string, extra: string[] = [], dockerFlags: string[] = []): RunningTp {
    return new RunningTp([
      "docker-run",
      "-n",
      this.ns.name,
      "--swap-deployment",
      "volapp:app",
      ...extra,
      "--",
      "--name",
      name,
      ...dockerFlags,
      "tp-test-busybox:local",
      "sh",
      "-c",
      waitScript,
    ]);
  }

  proxyPod(): Promise<string> {
    return proxyPodOf(this.ns.name, "volapp");
  }

  /** A command in the pod's writer container. */
  inPod(pod: string, command: string[]): Promise<string> {
    return kubectl(["exec", "-n", this.ns.name, pod, "-c", "writer", "--", ...command]);
  }

  async remove(): Promise<void> {
    await this.ns.remove();
  }
}
