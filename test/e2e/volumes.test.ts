import { execa } from "execa";
import { existsSync, lstatSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apply, kubectl, requireCluster, rolloutStatus } from "./support/cluster.js";
import { RunningTp, runTp } from "./support/tp.js";
import { dockerExec, folderOf, VolumesApp, waitScript, within } from "./support/volumes-app.js";

let app: VolumesApp;
let ns: VolumesApp["ns"];
const startTp = (name: string, extra: string[] = []) => app.startTp(name, extra);
const proxyPod = () => app.proxyPod();
const inPod = (pod: string, command: string[]) => app.inPod(pod, command);

beforeAll(async () => {
  requireCluster();
  app = await VolumesApp.create("tp-volumes");
  ns = app.ns;
}, 120_000);

afterAll(async () => {
  await app?.remove();
});

describe("tp docker-run with the pod's volumes", () => {
  it("shows ConfigMap, Secret, emptyDir and token at both paths, keeps them in step, removes the folder", async () => {
    const name = `tp-vol-${ns.name}`;
    const tp = startTp(name);
    try {
      await tp.waitFor(/== ready/, 90_000);
      const folder = folderOf(tp);
      expect(existsSync(folder)).toBe(true);
      const pod = await proxyPod();
      const token = await inPod(pod, ["cat", "/var/run/secrets/kubernetes.io/serviceaccount/token"]);
      const fromWriter = await inPod(pod, ["cat", "/data/from-writer.txt"]);
      const expected: Record<string, string> = {
        "/etc/app/app.conf": "level=debug\nname=first\n",
        "/etc/app/motd": "hello from the config map",
        "/etc/secret/password": "s3cr3t-password",
        "/data/from-writer.txt": fromWriter + "\n",
        "/var/run/secrets/kubernetes.io/serviceaccount/token": token,
      };
      for (const [path, content] of Object.entries(expected)) {
        for (const at of [path, `/telepresence${path}`]) {
          expect(
            await execa("docker", ["exec", name, "cat", at]).then(
              (r) => r.stdout + (content.endsWith("\n") ? "\n" : ""),
            ),
            at,
          ).toBe(content);
        }
      }
      const md5 = (out: string) => out.split(" ")[0];
      expect(md5(await dockerExec(name, ["md5sum", "/data/big.bin"]))).toBe(
        md5(await inPod(pod, ["md5sum", "/data/big.bin"])),
      );
      const env = await dockerExec(name, ["sh", "-c", "echo $TELEPRESENCE_ROOT; echo $TELEPRESENCE_MOUNTS"]);
      expect(env.split("\n")[0]).toBe("/telepresence");
      expect(env.split("\n")[1]?.split(":").sort()).toEqual(
        ["/data", "/etc/app", "/etc/secret", "/var/run/secrets/kubernetes.io/serviceaccount"].sort(),
      );
      // Secret contents owner-only; the ConfigMap keeps its ..data layout; read-only where the pod has it so.
      expect(await dockerExec(name, ["stat", "-L", "-c", "%a", "/etc/secret/password", "/etc/secret"])).toBe(
        "600\n700",
      );
      expect(await dockerExec(name, ["readlink", "/etc/app/app.conf"])).toBe("..data/app.conf");
      await expect(dockerExec(name, ["sh", "-c", "echo x > /etc/app/new"])).rejects.toThrow();

      // The ConfigMap edited through the API: visible locally within 5 s.
      await kubectl([
        "patch",
        "configmap",
        "vol-config",
        "-n",
        ns.name,
        "--type",
        "merge",
        "-p",
        JSON.stringify({ data: { "app.conf": "level=info\nname=second\n" } }),
      ]);
      const cmMs = await within(5_000, "the edited ConfigMap locally", async () =>
        (await dockerExec(name, ["cat", "/etc/app/app.conf"])).includes("name=second") ? true : undefined,
      );
      // Written locally into the emptyDir: the other container of the pod reads it within 5 s.
      await dockerExec(name, ["sh", "-c", "echo 'written locally' > /data/from-local.txt"]);
      const upMs = await within(5_000, "the local file in the pod", async () =>
        (await inPod(pod, ["cat", "/data/from-local.txt"])) === "written locally" ? true : undefined,
      );
      // Deleted in the pod: gone locally.
      await inPod(pod, ["rm", "/data/from-writer.txt"]);
      await within(5_000, "the deletion locally", async () =>
        (await dockerExec(name, ["sh", "-c", "test -e /data/from-writer.txt || echo gone"])) === "gone"
          ? true
          : undefined,
      );
      process.stderr.write(
        `configmap edit seen locally after ${cmMs} ms; local write in the pod after ${upMs} ms\n`,
      );

      await dockerExec(name, ["touch", "/tmp/stop"]);
      expect(await tp.exit()).toBe(0);
      expect(existsSync(folder)).toBe(false);
      expect(tp.stderr).toContain(`session folder ${folder} removed`);
    } finally {
      await tp.kill();
    }
  });

  it("writes the Secrets owner-only from the first copy on, before the sidecar takes it over", async () => {
    const base = mkdtempSync(join(tmpdir(), "tp-vol-private-"));
    const folder = join(base, "volumes");
    const name = `tp-vol-private-${ns.name}`;
    const tp = new RunningTp(
      [
        "docker-run",
        "-n",
        ns.name,
        "--swap-deployment",
        "volapp:app",
        "--mount",
        folder,
        "--",
        "--name",
        name,
        "tp-test-busybox:local",
        "sh",
        "-c",
        waitScript,
      ],
      { TP_TEST_PAUSE_AT: "volumes-copied" },
    );
    try {
      await tp.waitFor(/tp-test-stage: volumes-copied\n/, 90_000, "stderr");
      // The CLI's copy is all there (the emptyDir's large file too), the ConfigMap's with its modes.
      expect(statSync(join(folder, "data/big.bin")).size).toBeGreaterThan(1024 * 1024);
      expect(statSync(join(folder, "etc/app/..data/app.conf")).mode & 0o777).toBe(0o644);
      const wide: string[] = [];
      const walk = (dir: string) => {
        for (const entry of readdirSync(dir, { withFileTypes: true })) {
          const path = join(dir, entry.name);
          if (entry.isSymbolicLink()) continue;
          const mode = lstatSync(path).mode & 0o777;
          if (mode & 0o077) wide.push(`${mode.toString(8)} ${path.slice(folder.length)}`);
          if (entry.isDirectory()) walk(path);
        }
      };
      for (const secret of ["etc/secret", "var/run/secrets/kubernetes.io/serviceaccount"]) {
        expect(existsSync(join(folder, secret, "..data")), secret).toBe(true);
        wide.push(...(lstatSync(join(folder, secret)).mode & 0o077 ? [secret] : []));
        walk(join(folder, secret));
      }
      expect(wide, "Secret files others may read").toEqual([]);
      tp.signal("SIGUSR2");
      await tp.waitFor(/== ready/, 90_000);
      expect(await dockerExec(name, ["cat", "/etc/secret/password"])).toBe("s3cr3t-password");
      await dockerExec(name, ["touch", "/tmp/stop"]);
      expect(await tp.exit()).toBe(0);
      expect(existsSync(folder)).toBe(false);
    } finally {
      await tp.kill();
      rmSync(base, { recursive: true, force: true });
    }
  });

  it("skips volumes with --mount false", async () => {
    const r = await runTp([
      "docker-run",
      "-n",
      ns.name,
      "--swap-deployment",
      "volapp:app",
      "--mount",
      "false",
      "--",
      "tp-test-busybox:local",
      "sh",
      "-c",
      "ls /etc/app 2>&1; echo root=$TELEPRESENCE_ROOT",
    ]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/No such file or directory/);
    expect(r.stdout).toMatch(/^root=$/m);
  });

  it("tp cleanup removes the session folder after kill -9", { timeout: 240_000 }, async () => {
    const name = `tp-vol-kill-${ns.name}`;
    const tp = startTp(name);
    try {
      await tp.waitFor(/== ready/, 90_000);
      const folder = folderOf(tp);
      tp.process.kill("SIGKILL");
      await tp.processExited();
      expect(existsSync(folder)).toBe(true);
      const r = await runTp(["cleanup", "-n", ns.name]);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout).toContain(`session folder ${folder} removed`);
      expect(existsSync(folder)).toBe(false);
    } finally {
      await tp.kill();
      await execa("docker", ["rm", "-f", name], { reject: false });
    }
  });
});

// The agent runs as the pod's user: a file only root may read (a Secret key of mode 0400, no
// fsGroup) is named and left out, in the first copy and in every round of sync after it.
const lockedManifest = `
apiVersion: v1
kind: Secret
metadata: { name: locked }
type: Opaque
stringData: { locked: only-root, open: for-all }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: lockedapp }
spec:
  replicas: 1
  selector: { matchLabels: { app: lockedapp } }
  template:
    metadata: { labels: { app: lockedapp } }
    spec:
      securityContext: { runAsUser: 1000, runAsGroup: 3000 }
      containers:
        - name: app
          image: tp-test-busybox:local
          imagePullPolicy: Never
          command: ["sleep", "3600"]
          volumeMounts: [{ name: sec, mountPath: /etc/sec }]
      volumes:
        - name: sec
          secret:
            secretName: locked
            items: [{ key: locked, path: locked, mode: 0400 }, { key: open, path: open, mode: 0444 }]
`;

describe("a volume with a file the pod's user may not read", () => {
  it("copies the rest and never makes that file locally", async () => {
    await apply(ns.name, lockedManifest);
    await rolloutStatus(ns.name, "lockedapp");
    const r = await runTp([
      "docker-run",
      "-n",
      ns.name,
      "--swap-deployment",
      "lockedapp",
      "--",
      "tp-test-busybox:local",
      "sh",
      "-c",
      // Rounds of sync run meanwhile (each volume is listed again every few seconds).
      "sleep 5; cat /etc/sec/open; echo; ls /etc/sec/..data/",
    ]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout.split("\n")).toEqual(["for-all", "open"]);
    expect(r.stderr).toContain("1 file(s) under /etc/sec cannot be read by the agent in the pod: not copied");
    expect(r.stderr).not.toContain("not in step");
  });
});
