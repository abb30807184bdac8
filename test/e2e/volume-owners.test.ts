import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireCluster } from "./support/cluster.js";
import { runTp } from "./support/tp.js";
import { dockerExec, VolumesApp, within } from "./support/volumes-app.js";

// Who owns the copy of the pod's volumes: the container's user where it is neither root nor tp's
// (as in the pod), and files the container gives to another user stay that user's.
let app: VolumesApp;
let ns: VolumesApp["ns"];

beforeAll(async () => {
  requireCluster();
  app = await VolumesApp.create("tp-vol-owners");
  ns = app.ns;
}, 120_000);

afterAll(async () => {
  await app?.remove();
});

/**
 * Run `script` in a session's container (`dockerFlags` for docker run), wait until `file` (under
 * /data, holding "one") reached the pod, so that rounds of sync went by, then `check` it locally.
 */
async function afterSync(
  name: string,
  dockerFlags: string[],
  script: string,
  file: string,
  check: () => Promise<void>,
): Promise<void> {
  const tp = app.startTp(name, [], dockerFlags);
  try {
    await tp.waitFor(/== ready/, 90_000);
    await dockerExec(name, ["sh", "-c", script]);
    const pod = await app.proxyPod();
    await within(10_000, "the file in the pod", async () =>
      (await app.inPod(pod, ["cat", file])) === "one" ? true : undefined,
    );
    await check();
    await dockerExec(name, ["touch", "/tmp/stop"]);
    expect(await tp.exit()).toBe(0);
  } finally {
    await tp.kill();
  }
}

describe("the owner of the pod's volumes on this machine", () => {
  it("gives the Secrets and the token to the container's user when it is neither root nor tp's", async () => {
    // -u with a UID, and with a name from the image's /etc/passwd (nobody: 65534): each reads what
    // a pod's container reads, the copy staying owner-only.
    for (const user of [
      ["-u", "4321:4321"],
      ["-u", "nobody"],
    ]) {
      const r = await runTp([
        "docker-run",
        "-n",
        ns.name,
        "--swap-deployment",
        "volapp:app",
        "--",
        ...user,
        "tp-test-busybox:local",
        "sh",
        "-c",
        "id -u; ls /etc/secret; head -c 3 /var/run/secrets/kubernetes.io/serviceaccount/token; echo; " +
          "stat -c '%a %u' /etc/secret/..data/password /var/run/secrets/kubernetes.io/serviceaccount/..data/token",
      ]);
      expect(r.exitCode, r.stdout + r.stderr).toBe(0);
      const uid = user[1] === "nobody" ? "65534" : "4321";
      const [id, listed, token, ...modes] = r.stdout.split("\n");
      expect(id).toBe(uid);
      expect(listed).toBe("password");
      expect(token).toBe("eyJ");
      expect(modes).toEqual([`600 ${uid}`, `600 ${uid}`]);
    }
  });

  it("leaves what a container of another user writes to that user, round after round", async () => {
    // A database or cache as its image's USER keeps private files (0600) in its volume and must go
    // on reading and rewriting them; tp's sync gave them to tp's user, taking them away.
    const name = `tp-vol-user-${ns.name}`;
    await afterSync(
      name,
      ["-u", "4321:4321"],
      "echo one > /data/mine && chmod 600 /data/mine",
      "/data/mine",
      async () => {
        await dockerExec(name, ["sh", "-c", "echo two >> /data/mine"]);
        expect(await dockerExec(name, ["cat", "/data/mine"])).toBe("one\ntwo");
        expect(await dockerExec(name, ["stat", "-c", "%u %a", "/data/mine", "/data/big.bin"])).toBe(
          "4321 600\n4321 644",
        );
      },
    );
  });

  it("leaves a file a root container gave to another user to that user (an entrypoint's chown, then gosu)", async () => {
    const name = `tp-vol-chown-${ns.name}`;
    const script = "echo one > /data/theirs && chown 999:999 /data/theirs && chmod 600 /data/theirs";
    await afterSync(name, [], script, "/data/theirs", async () => {
      expect(await dockerExec(name, ["stat", "-c", "%u:%g %a", "/data/theirs"])).toBe("999:999 600");
    });
  });
});
