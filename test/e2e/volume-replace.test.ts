import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apply, createNamespace, kubectl, requireCluster, rolloutStatus } from "./support/cluster.js";
import { RunningTp } from "./support/tp.js";
import { dockerExec, proxyPodOf, waitScript, within } from "./support/volumes-app.js";

// A container that mounts one file of an emptyDir (a subPath mount) and a folder of another, both
// written by a second container of the pod. A file the sync changes inside a folder is replaced
// whole (written beside it, renamed over it); a file that is a mount itself is written in place,
// on either side, or a rename would fail on the pod's mount and go unseen by the local one.
const manifest = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: files }
spec:
  replicas: 1
  selector: { matchLabels: { app: files } }
  template:
    metadata: { labels: { app: files } }
    spec:
      initContainers:
        - name: init
          image: tp-test-busybox:local
          imagePullPolicy: Never
          # The proxy's agent runs as another user than root: one.conf is open to it, root-only not.
          command: ["sh", "-c", "echo v1 > /conf/one.conf; chmod 666 /conf/one.conf; echo root > /shared/root-only"]
          volumeMounts: [{ name: conf, mountPath: /conf }, { name: shared, mountPath: /shared }]
      containers:
        - name: app
          image: tp-test-busybox:local
          imagePullPolicy: Never
          command: ["sleep", "3600"]
          volumeMounts:
            - { name: conf, mountPath: /etc/one.conf, subPath: one.conf }
            - { name: shared, mountPath: /shared }
        - name: writer
          image: tp-test-busybox:local
          imagePullPolicy: Never
          command: ["sleep", "3600"]
          volumeMounts:
            - { name: conf, mountPath: /conf }
            - { name: shared, mountPath: /shared }
      volumes:
        - { name: conf, emptyDir: {} }
        - { name: shared, emptyDir: {} }
`;

let ns: Awaited<ReturnType<typeof createNamespace>>;

beforeAll(async () => {
  requireCluster();
  ns = await createNamespace("tp-replace");
  await apply(ns.name, manifest);
  await rolloutStatus(ns.name, "files");
}, 120_000);

afterAll(async () => {
  await ns?.remove();
});

describe("files the sync changes while a program uses them", () => {
  it("reach a one-file mount in place and a folder's files whole, both ways, leaving no part", async () => {
    const name = `tp-replace-${ns.name}`;
    const tp = new RunningTp([
      "docker-run",
      "-n",
      ns.name,
      "--swap-deployment",
      "files:app",
      "--",
      "--name",
      name,
      "tp-test-busybox:local",
      "sh",
      "-c",
      waitScript,
    ]);
    try {
      await tp.waitFor(/== ready/, 90_000);
      const pod = await proxyPodOf(ns.name, "files");
      const inPod = (script: string) =>
        kubectl(["exec", "-n", ns.name, pod, "-c", "writer", "--", "sh", "-c", script]);
      const local = (script: string) => dockerExec(name, ["sh", "-c", script]);
      expect(await local("cat /etc/one.conf")).toBe("v1");

      // From the pod: the mounted file changes in place, the folder's file is replaced.
      await inPod("echo v2 > /conf/one.conf; head -c 3000000 /dev/zero | tr '\\0' a > /shared/big");
      await within(30_000, "the pod's writes in the container", async () =>
        (await local("cat /etc/one.conf; wc -c < /shared/big")) === "v2\n3000000" ? true : undefined,
      );

      // From the container: its write to the mounted file (the pod's side is a mount too) and to
      // the folder; one file the proxy may not write is named, and the others still arrive.
      await local(
        "echo from-local > /etc/one.conf; echo local > /shared/from-local; echo changed > /shared/root-only",
      );
      await within(30_000, "the container's writes in the pod", async () =>
        (await inPod("cat /conf/one.conf /shared/from-local")) === "from-local\nlocal" ? true : undefined,
      );
      await tp.waitFor(
        /\/shared\/root-only could not be written in the pod \(permission denied/,
        30_000,
        "stderr",
      );
      expect(await inPod("cat /shared/root-only")).toBe("root");
      // And again: the mounted file, and the file the proxy made (its own: replaced in the pod).
      await local("echo again > /etc/one.conf; head -c 1000 /dev/zero | tr '\\0' b > /shared/from-local");
      await within(30_000, "the container's second writes in the pod", async () =>
        (await inPod("cat /conf/one.conf; wc -c < /shared/from-local")) === "again\n1000" ? true : undefined,
      );
      expect(tp.stderr).not.toMatch(
        /EBUSY|resource busy|one\.conf could not|from-local could not|big could not/i,
      );
      const parts = "ls -a /shared /conf | grep tp-part; true";
      expect((await inPod(parts)).trim()).toBe("");
      expect((await local("ls -a /shared | grep tp-part; true")).trim()).toBe("");
      await local("touch /tmp/stop");
      expect(await tp.exit()).toBe(0);
    } finally {
      await tp.kill();
    }
  });
});
