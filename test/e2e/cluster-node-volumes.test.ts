import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  clusterClient,
  deletePod,
  execIn,
  uniqueName,
  waitFor,
  waitPodReady,
  withNamespace,
} from "../cluster/node/testing/e2e-helpers.js";

const { kc, core } = clusterClient();
let ns = "";
let removeNs: () => Promise<void> = async () => {};

beforeAll(async () => {
  ({ ns, remove: removeNs } = await withNamespace(core, "node-vol"));
});
afterAll(async () => {
  await removeNs();
});

describe("test cluster node: env and volumes", () => {
  it("sets env from values, the downward API, ConfigMaps and Secrets with $(VAR) expansion", async () => {
    const name = uniqueName("env");
    const cm = uniqueName("cm");
    const secret = uniqueName("secret");
    try {
      await core.createNamespacedConfigMap({
        namespace: ns,
        body: { metadata: { name: cm }, data: { color: "blue", size: "L" } },
      });
      await core.createNamespacedSecret({
        namespace: ns,
        body: { metadata: { name: secret }, stringData: { password: "s3cret" } },
      });
      await core.createNamespacedPod({
        namespace: ns,
        body: {
          metadata: { name, labels: { tier: "web" } },
          spec: {
            terminationGracePeriodSeconds: 1,
            containers: [
              {
                name: "main",
                image: "tp-test-busybox:local",
                command: ["sh", "-c", "echo started $1 && exec sleep 3600", "sh", "$(GREETING)"],
                env: [
                  { name: "PLAIN", value: "value" },
                  { name: "GREETING", value: "hello-$(PLAIN)-$(MISSING)-$$(PLAIN)" },
                  { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
                  { name: "POD_NS", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
                  { name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
                  { name: "NODE", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
                  { name: "TIER", valueFrom: { fieldRef: { fieldPath: "metadata.labels['tier']" } } },
                  { name: "COLOR", valueFrom: { configMapKeyRef: { name: cm, key: "color" } } },
                  {
                    name: "NOPE",
                    valueFrom: { configMapKeyRef: { name: "absent", key: "x", optional: true } },
                  },
                  { name: "PASSWORD", valueFrom: { secretKeyRef: { name: secret, key: "password" } } },
                ],
                envFrom: [{ configMapRef: { name: cm }, prefix: "CM_" }, { secretRef: { name: secret } }],
              },
            ],
          },
        },
      });
      const pod = await waitPodReady(core, ns, name);
      const r = await execIn(kc, ns, name, "main", ["env"]);
      const env = Object.fromEntries(
        r.stdout
          .trim()
          .split("\n")
          .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
      );
      expect(env).toMatchObject({
        PLAIN: "value",
        GREETING: "hello-value-$(MISSING)-$(PLAIN)",
        POD_NAME: name,
        POD_NS: ns,
        POD_IP: pod.status?.podIP,
        NODE: "tp-test-node",
        TIER: "web",
        COLOR: "blue",
        PASSWORD: "s3cret",
        CM_color: "blue",
        CM_size: "L",
        password: "s3cret",
      });
      expect(env.NOPE).toBeUndefined();
      const log = await core.readNamespacedPodLog({ name, namespace: ns });
      expect(log).toBe("started hello-value-$(MISSING)-$(PLAIN)\n");
    } finally {
      await deletePod(core, ns, name);
      await core.deleteNamespacedConfigMap({ name: cm, namespace: ns }).catch(() => undefined);
      await core.deleteNamespacedSecret({ name: secret, namespace: ns }).catch(() => undefined);
    }
  });

  it("mounts configMap, secret, emptyDir, projected and service account volumes with their file modes", async () => {
    const name = uniqueName("vol");
    const cm = uniqueName("cm");
    const secret = uniqueName("secret");
    try {
      await core.createNamespacedConfigMap({
        namespace: ns,
        body: { metadata: { name: cm }, data: { a: "A", b: "B" } },
      });
      await core.createNamespacedSecret({
        namespace: ns,
        body: { metadata: { name: secret }, stringData: { pw: "PW" } },
      });
      await core.createNamespacedPod({
        namespace: ns,
        body: {
          metadata: { name, labels: { app: "vol" } },
          spec: {
            terminationGracePeriodSeconds: 1,
            initContainers: [
              {
                name: "init",
                image: "tp-test-busybox:local",
                command: ["sh", "-c", "echo from-init > /shared/file"],
                volumeMounts: [{ name: "shared", mountPath: "/shared" }],
              },
            ],
            containers: [
              {
                name: "main",
                image: "tp-test-busybox:local",
                command: ["sleep", "3600"],
                volumeMounts: [
                  { name: "shared", mountPath: "/shared" },
                  { name: "cm", mountPath: "/cm" },
                  { name: "cm-items", mountPath: "/cm-items" },
                  { name: "secret", mountPath: "/secret" },
                  { name: "projected", mountPath: "/projected" },
                  { name: "cm", mountPath: "/etc/only-a", subPath: "a" },
                ],
              },
            ],
            volumes: [
              { name: "shared", emptyDir: {} },
              { name: "cm", configMap: { name: cm } },
              {
                name: "cm-items",
                configMap: { name: cm, items: [{ key: "b", path: "sub/b.txt", mode: 0o400 }] },
              },
              { name: "secret", secret: { secretName: secret, defaultMode: 0o600 } },
              {
                name: "projected",
                projected: {
                  defaultMode: 0o440,
                  sources: [
                    { configMap: { name: cm, items: [{ key: "a", path: "a" }] } },
                    { secret: { name: secret } },
                    {
                      downwardAPI: {
                        items: [{ path: "labels", fieldRef: { fieldPath: "metadata.labels" } }],
                      },
                    },
                  ],
                },
              },
            ],
          },
        },
      });
      await waitPodReady(core, ns, name);
      const files = [
        "/cm/a",
        "/cm/b",
        "/cm-items/sub/b.txt",
        "/secret/pw",
        "/projected/a",
        "/projected/pw",
        "/projected/labels",
        "/var/run/secrets/kubernetes.io/serviceaccount/namespace",
      ];
      const modes = await execIn(kc, ns, name, "main", ["stat", "-L", "-c", "%a %n", ...files]);
      expect(modes.stdout.trim().split("\n")).toEqual([
        "644 /cm/a",
        "644 /cm/b",
        "400 /cm-items/sub/b.txt",
        "600 /secret/pw",
        "440 /projected/a",
        "440 /projected/pw",
        "440 /projected/labels",
        "644 /var/run/secrets/kubernetes.io/serviceaccount/namespace",
      ]);
      const cat = await execIn(kc, ns, name, "main", [
        "sh",
        "-c",
        "cat /shared/file /cm/a /secret/pw /projected/labels; echo; cat /etc/only-a; echo; readlink /cm/a; cat /var/run/secrets/kubernetes.io/serviceaccount/namespace",
      ]);
      expect(cat.stdout).toBe(`from-init\nAPWapp="vol"\nA\n..data/a\n${ns}`);
      const sa = await execIn(kc, ns, name, "main", [
        "sh",
        "-c",
        "wc -c < /var/run/secrets/kubernetes.io/serviceaccount/token; head -1 /var/run/secrets/kubernetes.io/serviceaccount/ca.crt",
      ]);
      const [tokenLength, caLine] = sa.stdout.trim().split("\n");
      expect(Number(tokenLength)).toBeGreaterThan(20);
      expect(caLine).toBe("-----BEGIN CERTIFICATE-----");
      const ro = await execIn(kc, ns, name, "main", ["sh", "-c", "echo x > /cm/new"]);
      expect(ro.status.status).toBe("Failure");

      // A change of the ConfigMap reaches the mounted files within seconds, swapped atomically.
      const changedAt = Date.now();
      const current = await core.readNamespacedConfigMap({ name: cm, namespace: ns });
      await core.replaceNamespacedConfigMap({
        name: cm,
        namespace: ns,
        body: { ...current, data: { a: "A2", b: "B" } },
      });
      await waitFor(
        "the new value in the volume",
        async () =>
          (await execIn(kc, ns, name, "main", ["cat", "/cm/a"])).stdout === "A2" ? true : undefined,
        10_000,
      );
      console.log(`configMap change visible in the volume after ${Date.now() - changedAt} ms`);
    } finally {
      await deletePod(core, ns, name);
      await core.deleteNamespacedConfigMap({ name: cm, namespace: ns }).catch(() => undefined);
      await core.deleteNamespacedSecret({ name: secret, namespace: ns }).catch(() => undefined);
    }
  });
  it("gives volumes to the pod's fsGroup as the kubelet does: group, group bits, setgid folders", async () => {
    const name = uniqueName("fsgroup");
    const secret = uniqueName("secret");
    try {
      await core.createNamespacedSecret({
        namespace: ns,
        body: { metadata: { name: secret }, stringData: { pw: "PW", other: "O" } },
      });
      await core.createNamespacedPod({
        namespace: ns,
        body: {
          metadata: { name },
          spec: {
            terminationGracePeriodSeconds: 1,
            securityContext: { runAsUser: 1000, runAsGroup: 3000, fsGroup: 2000 },
            containers: [
              {
                name: "main",
                image: "tp-test-busybox:local",
                command: ["sleep", "3600"],
                volumeMounts: [
                  { name: "secret", mountPath: "/secret" },
                  { name: "shared", mountPath: "/shared" },
                ],
              },
            ],
            volumes: [
              {
                name: "secret",
                secret: { secretName: secret, defaultMode: 0o400, items: [{ key: "pw", path: "sub/pw" }] },
              },
              { name: "shared", emptyDir: {} },
            ],
          },
        },
      });
      await waitPodReady(core, ns, name);
      // Files made while the node syncs the pod again (each change of the pod makes it do so): the
      // folder keeps its setgid bit throughout, so every one of them belongs to the group.
      let changes = 0;
      const changing = setInterval(() => {
        const body = [{ op: "add", path: "/metadata/annotations", value: { change: String(Date.now()) } }];
        core.patchNamespacedPod({ name, namespace: ns, body }).then(
          () => changes++,
          () => undefined,
        );
      }, 20);
      await new Promise((r) => setTimeout(r, 500));
      const out = await execIn(kc, ns, name, "main", [
        "sh",
        "-c",
        "stat -L -c '%a %g %n' /secret/sub/pw /secret/sub /shared; cat /secret/sub/pw; echo; " +
          "for i in $(seq 1 400); do touch /shared/f$i; done; stat -c '%g' /shared/f* | sort -u",
      ]).finally(() => clearInterval(changing));
      expect(changes).toBeGreaterThan(10);
      // Read-only volumes get g+r (files) and g+rx with setgid (folders); an emptyDir g+rw too.
      expect(out.stdout.trim().split("\n")).toEqual([
        "440 2000 /secret/sub/pw",
        "2755 2000 /secret/sub",
        "2777 2000 /shared",
        "PW",
        "2000",
      ]);
    } finally {
      await deletePod(core, ns, name);
      await core.deleteNamespacedSecret({ name: secret, namespace: ns }).catch(() => undefined);
    }
  });
});
