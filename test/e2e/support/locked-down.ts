import { execa } from "execa";
import { resolve } from "node:path";
import { expect, onTestFailed } from "vitest";
import { apply, createNamespace, kubectl, liveTpObjects, rolloutStatus } from "./cluster.js";
import { RunningTp, runTp } from "./tp.js";
import { until } from "./workloads.js";

// Clusters locked down as companies run them: Pod Security "restricted", a UID range assigned
// by the namespace (OpenShift), and a user whose rights end at one namespace without RBAC.

export const limitedKubeconfig = resolve(".test-cluster/kubeconfig-limited");
export const assignedUid = 1000680000;

/**
 * A restricted-compliant app listening on 80 (the safe sysctl), a ConfigMap volume, and a client
 * (whose image runs as root: it gets a UID unless the namespace assigns one).
 */
function manifest(clientUid: boolean): string {
  return `
apiVersion: v1
kind: ConfigMap
metadata: { name: web-config }
data: { motd: hello from the config map }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: 2
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      securityContext:
        runAsNonRoot: true
        seccompProfile: { type: RuntimeDefault }
        sysctls: [{ name: net.ipv4.ip_unprivileged_port_start, value: "0" }]
      containers:
        - name: app
          image: tp-test-echo:local
          env: [{ name: PORT, value: "80" }, { name: NAME, value: remote }, { name: GREETING, value: from-the-pod }]
          ports: [{ containerPort: 80 }]
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: [ALL] } }
          volumeMounts: [{ name: config, mountPath: /etc/web }]
      volumes: [{ name: config, configMap: { name: web-config } }]
---
apiVersion: v1
kind: Service
metadata: { name: web }
spec:
  selector: { app: web }
  ports: [{ name: http, port: 80, targetPort: 80 }]
---
apiVersion: v1
kind: Pod
metadata: { name: client }
spec:
  securityContext: { runAsNonRoot: true, seccompProfile: { type: RuntimeDefault }${clientUid ? ", runAsUser: 1000" : ""} }
  containers:
    - name: client
      image: tp-node-base:local
      command: [sleep, "3600"]
      securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: [ALL] } }
`;
}

/** The namespace's user: everything tp uses in it except Roles and RoleBindings. */
export const limitedRole = `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: { name: developer }
rules:
  - apiGroups: [""]
    resources: [pods, pods/exec, pods/portforward, pods/log, services, serviceaccounts, configmaps, secrets, events]
    verbs: ["*"]
  - apiGroups: [apps]
    resources: [deployments, deployments/scale, replicasets]
    verbs: ["*"]
  - apiGroups: [coordination.k8s.io]
    resources: [leases]
    verbs: ["*"]
  - apiGroups: [autoscaling]
    resources: [horizontalpodautoscalers]
    verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: developer }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: developer }
subjects: [{ apiGroup: rbac.authorization.k8s.io, kind: User, name: tp-limited }]
`;

export type Ns = Awaited<ReturnType<typeof createNamespace>>;

async function prepare(ns: Ns, clientUid: boolean): Promise<void> {
  await apply(ns.name, manifest(clientUid));
  await rolloutStatus(ns.name, "web");
  await kubectl(["wait", "-n", ns.name, "--for=condition=Ready", "pod/client", "--timeout=60s"]);
}

/** The three namespaces, each with the app and a client: restricted, UID range, limited user. */
export async function lockedDownNamespaces(): Promise<{ restricted: Ns; uidRange: Ns; limited: Ns }> {
  const [restricted, uidRange, limited] = await Promise.all([
    createNamespace("tp-restricted"),
    createNamespace("tp-uid-range"),
    createNamespace("tp-limited"),
  ]);
  try {
    const enforce = [
      "pod-security.kubernetes.io/enforce=restricted",
      "pod-security.kubernetes.io/warn=restricted",
    ];
    await kubectl(["label", "namespace", restricted.name, ...enforce]);
    await kubectl(["label", "namespace", uidRange.name, ...enforce]);
    await kubectl([
      "annotate",
      "namespace",
      uidRange.name,
      `openshift.io/sa.scc.uid-range=${assignedUid}/10000`,
    ]);
    await kubectl(["label", "namespace", limited.name, ...enforce]);
    await apply(limited.name, limitedRole);
    await Promise.all([prepare(restricted, true), prepare(uidRange, false), prepare(limited, true)]);
  } catch (err) {
    // Made here, so removed here: the caller never sees them.
    await Promise.all([restricted.remove(), uidRange.remove(), limited.remove()]);
    throw err;
  }
  return { restricted, uidRange, limited };
}

export async function fromClient(ns: string, url: string): Promise<string> {
  const script = `require("http").get(${JSON.stringify(url)}, { timeout: 5000 }, (r) => r.pipe(process.stdout)).on("error", (e) => { console.error(e.message); process.exit(1); })`;
  return kubectl(["exec", "-n", ns, "client", "--", "node", "-e", script]);
}

export async function replicas(ns: string): Promise<{ replicas: number; holder?: string }> {
  const d = JSON.parse(await kubectl(["get", "deployment", "web", "-n", ns, "-o", "json"]));
  return { replicas: d.spec.replicas, holder: d.metadata.annotations?.["tp.dev/session"] };
}

export const sessionObjects = (ns: string) => liveTpObjects(ns, "pods,leases,serviceaccounts");

export function swap(ns: string, name: string, env: Record<string, string> = {}): RunningTp {
  return new RunningTp(
    [
      ...["docker-run", "-n", ns, "--swap-deployment", "web", "--expose", "8080:80", "--"],
      ...["--name", name, "-e", "PORT=8080", "-e", "NAME=local", "tp-test-echo:local"],
    ],
    env,
  );
}

/** Stop tp at once; the cleanup that follows undoes what it left (its tp died on this machine). */
export async function stop(tp: RunningTp): Promise<void> {
  if (tp.process.exitCode === null || tp.process.exitCode === undefined) tp.process.kill("SIGKILL");
  await tp.processExited();
}

export const inContainer = async (name: string, command: string[]) =>
  (await execa("docker", ["exec", name, ...command])).stdout.trim();

/** A swap with --expose, volumes and the pod's env; then kill -9 and the cluster's own restore. */
export async function swapThenKill(ns: string, check: (proxy: string) => Promise<void>): Promise<void> {
  const name = `tp-e2e-${ns}`;
  const tp = swap(ns, name);
  onTestFailed(() => console.log(`tp's stderr:\n${tp.stderr}`));
  let session = "";
  try {
    await tp.waitFor(/listening on 8080/, 90_000);
    session = /web-tp-([0-9a-f]{8})/.exec(tp.stderr)?.[1] as string;
    const proxy = `web-tp-${session}`;
    expect(JSON.parse(await fromClient(ns, "http://web/x"))).toMatchObject({ name: "local", url: "/x" });
    expect(await inContainer(name, ["cat", "/etc/web/motd"])).toBe("hello from the config map");
    expect(await inContainer(name, ["sh", "-c", "echo $GREETING"])).toBe("from-the-pod");
    await until("the deployment is scaled to 0", async () => (await replicas(ns)).replicas === 0, 15_000);
    await check(proxy);
    tp.process.kill("SIGKILL");
    await tp.processExited();
    await until(
      "the cluster restores the deployment and removes the session's objects",
      async () => {
        const d = await replicas(ns);
        return d.replicas === 2 && !d.holder && (await sessionObjects(ns)).length === 0;
      },
      90_000,
    );
  } finally {
    await stop(tp);
    await runTp(["cleanup", "-n", ns]);
    if (session) await execa("docker", ["rm", "-f", name, `tp-${session}-sidecar`], { reject: false });
  }
}
