#!/usr/bin/env node
// Intercept router benchmark, in the test cluster: what the router (tp-agent role `router`) adds
// to requests that no session takes. A client pod makes sequential kept-alive HTTP requests to
// the workload's pod directly and through a router pod whose upstream is that pod; also to the
// workload's Service and through a Service that selects the router (whose upstream is the
// workload's Service, as an intercept's shadow Service is); and, matching a registered session's
// header, through the router to the session's pod. One run; prints p50/p99 of each and the
// router's difference; writes bench/results/intercept.json. Target: non-matching p50 adds <= 1 ms.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { kubeconfig, kubectl } from "./first-line.mjs";

const version = JSON.parse(readFileSync("package.json", "utf8")).version;
const ns = `tp-bench-intercept-${Date.now().toString(36)}`;
const requests = Number(process.env.REQUESTS ?? 2000);
const apply = (objects) =>
  execFileSync("kubectl", ["--kubeconfig", kubeconfig, "apply", "--validate=false", "-n", ns, "-f", "-"], {
    input: JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }),
  });
const echo = (name) => ({
  name: "echo",
  image: "tp-test-echo:local",
  imagePullPolicy: "Never",
  env: [{ name: "NAME", value: name }],
  ports: [{ name: "http", containerPort: 8080 }],
  readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 },
});
const ipOf = (selector) =>
  kubectl("get", "pods", "-n", ns, "-l", selector, "-o", "jsonpath={.items[0].status.podIP}").trim();
const waitReady = (pod) => kubectl("wait", "-n", ns, "--for=condition=Ready", `pod/${pod}`, "--timeout=90s");

kubectl("create", "namespace", ns);
try {
  apply([
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web" },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: "web" } },
        template: { metadata: { labels: { app: "web" } }, spec: { containers: [echo("web")] } },
      },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "web" },
      spec: { selector: { app: "web" }, ports: [{ name: "http", port: 80, targetPort: "http" }] },
    },
    {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "session", labels: { app: "session" } },
      spec: { containers: [echo("session")] },
    },
  ]);
  kubectl("rollout", "status", "-n", ns, "deployment/web", "--timeout=90s");
  waitReady("session");
  const webIp = ipOf("app=web");
  const sessionIp = ipOf("app=session");
  const config = {
    v: 1,
    service: "web",
    namespace: ns,
    controlPort: 7471,
    ports: [
      { port: 8080, name: "http", upstream: { host: `web.${ns}.svc`, port: 80 }, http: "auto" },
      { port: 8081, upstream: { host: webIp, port: 8080 }, http: "auto" },
    ],
  };
  apply([
    {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "tp-router-web", labels: { "tp.dev/router": "web" } },
      spec: {
        containers: [
          {
            name: "router",
            image: `tp-agent:${version}`,
            imagePullPolicy: "IfNotPresent",
            args: ["router"],
            env: [{ name: "TP_ROUTER_CONFIG", value: JSON.stringify(config) }],
            ports: [{ name: "http", containerPort: 8080 }, { containerPort: 8081 }, { containerPort: 7471 }],
            readinessProbe: { tcpSocket: { port: 7471 }, periodSeconds: 1 },
          },
        ],
      },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "web-routed" },
      spec: { selector: { "tp.dev/router": "web" }, ports: [{ name: "http", port: 80, targetPort: "http" }] },
    },
  ]);
  waitReady("tp-router-web");
  const routerIp = ipOf("tp.dev/router=web");
  const targets = [
    { name: "pod", host: webIp, port: 8080, expect: "web" },
    { name: "router -> pod", host: routerIp, port: 8081, expect: "web" },
    { name: "service", host: `web.${ns}.svc`, port: 80, expect: "web" },
    { name: "service -> router -> service", host: `web-routed.${ns}.svc`, port: 80, expect: "web" },
    {
      name: "router -> session (matching)",
      host: routerIp,
      port: 8080,
      headers: { "x-bench": "me" },
      expect: "session",
    },
  ];
  const session = { router: { host: routerIp, port: 7471 }, target: sessionIp, headers: { "x-bench": "me" } };
  const env = { TARGETS: JSON.stringify(targets), SESSION: JSON.stringify(session), N: String(requests) };
  apply([
    {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "client" },
      spec: {
        restartPolicy: "Never",
        containers: [
          {
            name: "client",
            image: "tp-node-base:local",
            imagePullPolicy: "Never",
            command: ["node", "-e", readFileSync("bench/intercept-client.cjs", "utf8")],
            env: Object.entries(env).map(([name, value]) => ({ name, value })),
          },
        ],
      },
    },
  ]);
  // Until the client printed its result (or failed): logs are read as it runs and after it ends.
  let phase = "";
  let logs = "";
  const resultLine = () => logs.split("\n").find((l) => l.startsWith("RESULT "));
  for (let i = 0; i < 600 && !resultLine() && phase !== "Failed"; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    phase = kubectl("get", "pod", "-n", ns, "client", "-o", "jsonpath={.status.phase}").trim();
    try {
      if (phase !== "Pending") logs = kubectl("logs", "-n", ns, "client");
    } catch {
      // Not started yet.
    }
  }
  const line = resultLine();
  if (!line) {
    const router = kubectl("logs", "-n", ns, "tp-router-web");
    throw new Error(`client pod ${phase || "did not finish"}:\n${logs}\nrouter:\n${router}`);
  }
  const measured = JSON.parse(line.slice(7));
  const diff = (a, b) => ({
    p50Ms: Number((measured[a].p50Ms - measured[b].p50Ms).toFixed(3)),
    p99Ms: Number((measured[a].p99Ms - measured[b].p99Ms).toFixed(3)),
  });
  const result = {
    requestsEach: requests,
    measured,
    routerAdds: diff("router -> pod", "pod"),
    interceptAdds: diff("service -> router -> service", "service"),
    target: { nonMatchingP50AddsMs: 1 },
  };
  mkdirSync("bench/results", { recursive: true });
  writeFileSync("bench/results/intercept.json", JSON.stringify(result, null, 2) + "\n");
  for (const [name, m] of Object.entries(measured))
    console.log(`${name.padEnd(30)} p50 ${m.p50Ms.toFixed(3)} ms  p99 ${m.p99Ms.toFixed(3)} ms`);
  const show = (d) => `p50 +${d.p50Ms.toFixed(3)} ms, p99 +${d.p99Ms.toFixed(3)} ms`;
  console.log(`router (non-matching) adds: ${show(result.routerAdds)} (target p50 <= 1 ms)`);
  console.log(
    `Service via the router adds: ${show(result.interceptAdds)} (includes a second Service hop, the shadow Service's)`,
  );
} finally {
  kubectl("delete", "namespace", ns, "--wait=false");
}
