/** The fault cases' app: a Deployment of 2 with a Secret mounted, and its Service. */
export const faultCaseManifest = `
apiVersion: v1
kind: Secret
metadata: { name: web-secret }
stringData: { password: hunter2 }
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
      containers:
        - name: app
          image: tp-test-echo:local
          env: [{ name: PORT, value: "8080" }]
          ports: [{ containerPort: 8080 }]
          readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 }
          volumeMounts: [{ name: secret, mountPath: /etc/secret }]
      volumes: [{ name: secret, secret: { secretName: web-secret } }]
---
apiVersion: v1
kind: Service
metadata: { name: web }
spec:
  selector: { app: web }
  ports: [{ port: 8080, targetPort: 8080 }]
`;

/**
 * Calls the Service ten times a second and logs "<uptime> ok" ("ok slow-<ms>ms" past 1 s), or
 * "<uptime> fail <why>@<step>" (the error, and whether it came in the name's lookup, the connect,
 * the answer, or on a kept-alive connection: Node's agent keeps them). A request unanswered for
 * 3 s fails: on two cores shared by the test cluster, several sessions and the pods that a
 * hand-back starts, answers through a tunnel (five processes) were seen to take 1-3 s, answered
 * all the same, while a lost one is never answered. Node's client: busybox's wget fails on the
 * echo server's chunked answers.
 */
export const proberManifest = `
---
apiVersion: v1
kind: Pod
metadata: { name: prober }
spec:
  containers:
    - name: prober
      image: tp-test-echo:local
      command:
        - /usr/bin/node
        - -e
        - |
          const http = require("node:http");
          const fs = require("node:fs");
          const uptime = () => fs.readFileSync("/proc/uptime", "utf8").split(" ")[0];
          function one() {
            const t = uptime();
            const started = Date.now();
            let done = false;
            let step = "lookup";
            const end = (ok, why) => {
              if (done) return;
              done = true;
              const ms = Date.now() - started;
              console.log(t + (ok ? (ms >= 1000 ? " ok slow-" + ms + "ms" : " ok") : " fail " + why));
              setTimeout(one, 100);
            };
            const req = http.get({ host: "web", port: 8080, path: "/", timeout: 3000 }, (res) => {
              res.resume();
              res.on("end", () => end(res.statusCode === 200, "status-" + res.statusCode));
              res.on("error", (e) => end(false, e.code || "response-error"));
            });
            req.on("socket", (s) => {
              // A kept-alive connection: no lookup or connect of its own.
              if (!s.connecting) return void (step = "kept-alive");
              s.once("lookup", () => (step = "connect"));
              s.once("connect", () => (step = "answer"));
            });
            req.on("timeout", () => req.destroy(new Error("timeout")));
            req.on("error", (e) => end(false, (e.code || e.message) + "@" + step));
          }
          one();
`;
