import { execa } from "execa";
import { resolve } from "node:path";
import { expect } from "vitest";
import { apply, createNamespace, kubeconfig, kubectl, rolloutStatus, until } from "./support/cluster.js";
import { RunningTp, runTp } from "./support/tp.js";

const fixtures = resolve("test/e2e/fixtures");

/**
 * A namespace with Deployment `web` (2 replicas of a server that answers "original" over
 * HTTP/1.1, h2c and WebSocket) behind Service `web` (port 80 → named targetPort http), and a
 * `client` pod in the cluster that calls it (intercept-client.mjs).
 */
const manifest = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, labels: { app: web } }
spec:
  replicas: 2
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - name: web
          image: tp-test-echo:local
          imagePullPolicy: Never
          command: ["/usr/bin/node", "/srv/intercept-server.mjs"]
          env:
            - { name: PORT, value: "8080" }
            - { name: NAME, value: original }
          ports: [{ name: http, containerPort: 8080 }]
          readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 }
          volumeMounts: [{ name: scripts, mountPath: /srv }]
      volumes: [{ name: scripts, configMap: { name: intercept-scripts } }]
---
apiVersion: v1
kind: Service
metadata: { name: web }
spec:
  selector: { app: web }
  ports: [{ name: http, port: 80, targetPort: http }]
---
apiVersion: v1
kind: Pod
metadata: { name: client, labels: { app: client } }
spec:
  containers:
    - name: client
      image: tp-test-echo:local
      imagePullPolicy: Never
      command: ["/usr/bin/node", "/srv/intercept-server.mjs"]
      env: [{ name: NAME, value: client }]
      volumeMounts: [{ name: scripts, mountPath: /srv }]
  volumes: [{ name: scripts, configMap: { name: intercept-scripts } }]
`;

export interface Answer {
  i?: number;
  header?: boolean;
  name?: string;
  hostname?: string;
  port?: number;
  error?: string;
  status?: number;
  text?: string;
  t?: number;
}

export class InterceptCase {
  private constructor(
    readonly ns: string,
    private readonly removeNs: () => Promise<void>,
  ) {}

  static async create(prefix: string): Promise<InterceptCase> {
    const ns = await createNamespace(prefix);
    const c = new InterceptCase(ns.name, ns.remove);
    await kubectl([
      "create",
      "configmap",
      "intercept-scripts",
      "-n",
      c.ns,
      `--from-file=${fixtures}/intercept-server.mjs`,
      `--from-file=${fixtures}/intercept-client.mjs`,
    ]);
    await apply(c.ns, manifest);
    await rolloutStatus(c.ns, "web");
    await kubectl(["wait", "-n", c.ns, "--for=condition=Ready", "pod/client", "--timeout=60s"]);
    return c;
  }

  /** Run the client in the cluster pod; its answers. `firstAnswer` is called on a watch's first. */
  async client(job: Record<string, unknown>, firstAnswer?: () => void): Promise<Answer[] & Answer> {
    const running = execa(
      "kubectl",
      [
        "--kubeconfig",
        kubeconfig,
        "exec",
        "-n",
        this.ns,
        "client",
        "--",
        "/usr/bin/node",
        "/srv/intercept-client.mjs",
        JSON.stringify({ url: "http://web", ...job }),
      ],
      { timeout: 120_000, reject: false },
    );
    let out = "";
    running.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString("utf8");
      if (out.includes("FIRST-ANSWER\n")) firstAnswer?.();
    });
    const r = await running;
    const line = String(r.stdout)
      .split("\n")
      .find((l) => l.startsWith("RESULT "));
    if (!line) throw new Error(`client ${JSON.stringify(job)} failed: ${r.stdout}\n${r.stderr}`);
    return JSON.parse(line.slice(7));
  }

  /** `tp docker-run --intercept web ARGS` with the test server as the local container, named NAME. */
  start(name: string, args: string[], env: Record<string, string> = {}, tpArgs: string[] = []): RunningTp {
    return new RunningTp(
      [
        ...tpArgs,
        "docker-run",
        "-n",
        this.ns,
        "--mount",
        "false",
        "--intercept",
        "web",
        ...args,
        "--",
        "-v",
        `${fixtures}:/fixtures:ro`,
        "-e",
        `NAME=${name}`,
        "--entrypoint",
        "/usr/bin/node",
        "tp-test-echo:local",
        "/fixtures/intercept-server.mjs",
      ],
      env,
    );
  }

  /** Wait until a request with this header is answered by `name`. */
  async waitRouted(header: [string, string], name: string, ms = 90_000): Promise<void> {
    await until(
      `requests with ${header.join("=")} answered by ${name}`,
      async () => {
        const answers = await this.client({ mode: "plain", count: 1, header }).catch(() => []);
        return answers[0]?.name === name;
      },
      ms,
      500,
    );
  }

  /** The Deployment as the tests compare it: generation, replicas, its pods' names. */
  async workload(): Promise<{ generation: number; replicas: number; pods: string[] }> {
    const d = JSON.parse(await kubectl(["get", "deployment", "web", "-n", this.ns, "-o", "json"]));
    const pods = JSON.parse(await kubectl(["get", "pods", "-n", this.ns, "-l", "app=web", "-o", "json"]));
    return {
      generation: d.metadata.generation,
      replicas: d.spec.replicas,
      pods: (pods.items as { metadata: { name: string; deletionTimestamp?: string } }[])
        .filter((p) => !p.metadata.deletionTimestamp)
        .map((p) => p.metadata.name)
        .sort(),
    };
  }

  async service(): Promise<{ selector: Record<string, string>; annotations: Record<string, string> }> {
    const s = JSON.parse(await kubectl(["get", "service", "web", "-n", this.ns, "-o", "json"]));
    return { selector: s.spec.selector, annotations: s.metadata.annotations ?? {} };
  }

  /** tp's objects left in the namespace (the router, the shadow Service, proxies, leases). */
  async tpObjects(): Promise<string[]> {
    const out = await kubectl([
      "get",
      "pods,services,leases",
      "-n",
      this.ns,
      "-l",
      "app.kubernetes.io/managed-by=tp",
      "-o",
      "json",
    ]);
    return (
      JSON.parse(out).items as { kind: string; metadata: { name: string; deletionTimestamp?: string } }[]
    )
      .filter((i) => !i.metadata.deletionTimestamp)
      .map((i) => `${i.kind}/${i.metadata.name}`);
  }

  /** The Service selects its own pods again, with no record of tp, and tp's objects are gone. */
  async expectRestored(ms = 60_000): Promise<number> {
    return until(
      "the Service as it was and tp's objects gone",
      async () => {
        const s = await this.service();
        const tpKeys = Object.keys(s.annotations).filter((k) => k.startsWith("tp.dev/"));
        return (
          JSON.stringify(s.selector) === JSON.stringify({ app: "web" }) &&
          tpKeys.length === 0 &&
          (await this.tpObjects()).length === 0
        );
      },
      ms,
    );
  }

  async dispose(): Promise<void> {
    await runTp(["cleanup", "-n", this.ns]).catch(() => undefined);
    await this.removeNs();
  }
}

/** Every answer came without error, and `who(a)` names who should have answered it. */
export function expectRouted(answers: Answer[], who: (a: Answer) => string): void {
  const wrong = answers.filter((a) => a.error !== undefined || a.name !== who(a));
  expect(wrong, JSON.stringify(wrong.slice(0, 5))).toEqual([]);
}
