import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apply, createNamespace, kubectl, requireCluster, rolloutStatus } from "./support/cluster.js";
import { runTp } from "./support/tp.js";

// Every kind of env source the kubelet resolves: tp resolves these from the API before the proxy
// pod runs (status.podIP once it runs), and the result must be what the cluster itself gives.
const manifest = `
apiVersion: v1
kind: ConfigMap
metadata: { name: app-config }
data:
  GREETING: hello from the config map
  LEVEL: debug
  MULTI: |
    first line
    second line
  spring.datasource.url: jdbc:postgresql://db/app
  log-level: info
---
apiVersion: v1
kind: Secret
metadata: { name: app-secret }
type: Opaque
stringData: { token: s3cr3t, user: admin, tls.key: the-key }
---
apiVersion: v1
kind: Service
metadata: { name: backend }
spec:
  selector: { app: nothing }
  ports:
    - { name: http, port: 80, targetPort: 8080 }
    - { name: dns, port: 53, protocol: UDP }
---
apiVersion: v1
kind: Service
metadata: { name: headless }
spec:
  clusterIP: None
  selector: { app: nothing }
  ports: [{ port: 80 }]
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: app }
spec:
  replicas: 1
  selector: { matchLabels: { app: envcheck } }
  template:
    metadata: { labels: { app: envcheck, tier: back } }
    spec:
      containers:
        - name: main
          image: tp-test-busybox:local
          imagePullPolicy: Never
          command: ["sleep", "3600"]
          resources:
            limits: { cpu: 500m, memory: 64Mi }
            requests: { cpu: 100m, memory: 32Mi }
          envFrom:
            - configMapRef: { name: app-config }
              prefix: CFG_
            - secretRef: { name: app-secret }
              prefix: SEC_
            - configMapRef: { name: not-there, optional: true }
          env:
            - { name: LITERAL, value: "a literal value" }
            - { name: dashed-name.with.dots, value: "any name Kubernetes accepts" }
            - { name: CFG_LEVEL, value: "overridden by env" }
            - name: FROM_CM
              valueFrom: { configMapKeyRef: { name: app-config, key: GREETING } }
            - name: FROM_SECRET
              valueFrom: { secretKeyRef: { name: app-secret, key: token } }
            - name: OPTIONAL_MISSING
              valueFrom: { configMapKeyRef: { name: app-config, key: nope, optional: true } }
            - name: MY_POD_NAME
              valueFrom: { fieldRef: { fieldPath: metadata.name } }
            - name: MY_NAMESPACE
              valueFrom: { fieldRef: { fieldPath: metadata.namespace } }
            - name: MY_APP
              valueFrom: { fieldRef: { fieldPath: "metadata.labels['tier']" } }
            - name: MY_POD_IP
              valueFrom: { fieldRef: { fieldPath: status.podIP } }
            - name: CPU_LIMIT_M
              valueFrom: { resourceFieldRef: { resource: limits.cpu, divisor: 1m } }
            - name: MEM_REQUEST_MI
              valueFrom: { resourceFieldRef: { resource: requests.memory, divisor: 1Mi } }
            - name: EXPANDED
              value: "$(FROM_CM)|$(MY_NAMESPACE)|$(BACKEND_SERVICE_PORT)|$(LATER)|$$(FROM_CM)|$(CFG_LEVEL)"
            - { name: POD_URL, value: "http://$(MY_POD_IP):8080" }
            - { name: LATER, value: later }
`;

/** `env` output as a map (a value may span lines). */
function parseEnv(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  let last = "";
  for (const line of text.split("\n")) {
    // Kubernetes accepts names with dots and dashes (spring.datasource.url).
    const m = /^([-._A-Za-z][-._A-Za-z0-9]*)=(.*)$/.exec(line);
    if (m?.[1]) env[(last = m[1])] = m[2] ?? "";
    else if (last) env[last] += "\n" + line;
  }
  for (const k of Object.keys(env)) env[k] = (env[k] ?? "").replace(/\n+$/, "");
  return env;
}

let ns: Awaited<ReturnType<typeof createNamespace>>;

beforeAll(async () => {
  requireCluster();
  ns = await createNamespace("tp-env-ahead");
  await apply(ns.name, manifest);
  await rolloutStatus(ns.name, "app");
}, 120_000);

afterAll(async () => {
  await ns?.remove();
});

// Per pod by nature: the pod's name and address (and what expands them), the hostname (the pod's
// name), and the TELEPRESENCE_* variables that only tp sets.
const perPod = new Set(["MY_POD_NAME", "MY_POD_IP", "POD_URL", "HOSTNAME"]);

describe("the env of tp docker-run, resolved before the proxy pod runs", () => {
  it("equals the env the cluster gives its own pod of the same template", async () => {
    const pod = (
      await kubectl([
        "get",
        "pods",
        "-n",
        ns.name,
        "-l",
        "app=envcheck",
        "-o",
        "jsonpath={.items[0].metadata.name}",
      ])
    ).trim();
    const clusterEnv = parseEnv(await kubectl(["exec", "-n", ns.name, pod, "--", "env"]));
    const r = await runTp([
      "--verbose",
      "docker-run",
      "-n",
      ns.name,
      "--swap-deployment",
      "app",
      "--",
      // `env` itself, as in the pod: a shell would add PWD and SHLVL.
      "tp-test-busybox:local",
      "env",
    ]);
    expect(r.exitCode, r.stderr).toBe(0);
    const tpEnv = parseEnv(r.stdout);
    // The container was made from the env resolved ahead, and the agent's agreed with it.
    expect(r.stderr).toContain("pod env resolved ahead");
    expect(r.stderr).toContain("user container created");
    expect(r.stderr).not.toContain("made ahead differs");

    const comparable = (env: Record<string, string>) =>
      Object.fromEntries(
        Object.entries(env).filter(([k]) => !perPod.has(k) && !k.startsWith("TELEPRESENCE_")),
      );
    expect(comparable(tpEnv)).toEqual(comparable(clusterEnv));
    // The sources all took part.
    expect(tpEnv).toMatchObject({
      CFG_GREETING: "hello from the config map",
      CFG_LEVEL: "overridden by env",
      CFG_MULTI: "first line\nsecond line",
      SEC_token: "s3cr3t",
      "SEC_tls.key": "the-key",
      "CFG_spring.datasource.url": "jdbc:postgresql://db/app",
      "CFG_log-level": "info",
      "dashed-name.with.dots": "any name Kubernetes accepts",
      FROM_SECRET: "s3cr3t",
      MY_APP: "back",
      MY_NAMESPACE: ns.name,
      CPU_LIMIT_M: "500",
      MEM_REQUEST_MI: "32",
      BACKEND_SERVICE_PORT_DNS: "53",
      EXPANDED: `hello from the config map|${ns.name}|80|$(LATER)|$(FROM_CM)|overridden by env`,
    });
    expect(tpEnv["OPTIONAL_MISSING"]).toBeUndefined();
    expect(tpEnv["HEADLESS_SERVICE_HOST"]).toBeUndefined();
    // The per-pod values are the proxy pod's own.
    expect(tpEnv["MY_POD_NAME"]).toBe(tpEnv["TELEPRESENCE_POD"]);
    expect(tpEnv["MY_POD_IP"]).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(tpEnv["MY_POD_IP"]).not.toBe(clusterEnv["MY_POD_IP"]);
    expect(tpEnv["POD_URL"]).toBe(`http://${tpEnv["MY_POD_IP"]}:8080`);
  });
});
