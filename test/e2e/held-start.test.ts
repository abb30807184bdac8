import Dockerode from "dockerode";
import { execa } from "execa";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { version } from "../../src/version.js";
import { HeldStart } from "../../src/docker/held-start.js";
import { localEngine } from "../../src/docker/local-engine.js";
import type { DockerRunArgs } from "../../src/docker/docker-run-args.js";
import { createUserContainer } from "../../src/docker/user-container.js";

// A user container started with its program held (what tp docker-run does while the session
// starts): nothing runs before release(), then the program runs as `docker run` would run it.
const docker = new Dockerode();
const engine = localEngine(docker);
const id = randomBytes(4).toString("hex");
const sidecarName = `tp-e2e-held-${id}`;
const label = `tp-e2e=held-${id}`;
let folder: string;

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), "tp-e2e-held-"));
  const side = await docker.createContainer({
    name: sidecarName,
    Image: `tp-agent:${version}`,
    Entrypoint: ["/bin/busybox"],
    Cmd: ["sleep", "300"],
    Labels: { "tp-e2e": `held-${id}` },
  });
  await side.start();
});

afterAll(async () => {
  await docker
    .getContainer(sidecarName)
    .remove({ force: true })
    .catch(() => undefined);
  rmSync(folder, { recursive: true, force: true });
});

const run = (args: string[]): DockerRunArgs => ({
  image: "tp-test-busybox:local",
  args,
  env: ["FROM_FLAG=flag value"],
  volumes: [],
  labels: [label],
  publish: [],
  interactive: false,
  tty: false,
  init: false,
  user: "1000",
  workdir: "/tmp",
});

const env = { MULTI: "first\nsecond", SPACED: " a  b ", EMPTY: "" };

/** A user container made to start held, running `args` once released. */
async function makeHeld(sessionId: string, args: string[]) {
  const hold = await HeldStart.prepare(docker.getContainer(sidecarName), mkdtempSync(join(folder, "s-")));
  if (!hold) throw new Error("no hold with the agent image's busybox");
  const r = run(args);
  const name = await createUserContainer(engine, {
    ...{ sessionId, sidecar: sidecarName, env, mounts: [], run: r, labels: {} },
    hold: { ...hold.command(r.args), mounts: hold.mounts },
  });
  // tp passes stdio through (startUserContainer); here the output is collected.
  const attached = execa("docker", ["start", "--attach", name], { reject: false });
  let early = "";
  attached.stdout?.on("data", (d: Buffer) => (early += String(d)));
  return { hold, name, attached, early: () => early };
}

describe("a held start", () => {
  it("runs the program only once released, with the env, user, directory and PID of a plain docker run", async () => {
    const script = "echo started; env | sort; printf '[%s]\\n' \"$MULTI\"; id -u; pwd; echo pid $$";
    const { hold, name, attached, early } = await makeHeld(`e2e${id}a`, ["sh", "-c", script]);
    try {
      await new Promise((res) => setTimeout(res, 1_500));
      const state = await docker.getContainer(name).inspect();
      expect(state.State.Running).toBe(true);
      // Held: no output yet.
      expect(attached.exitCode).toBeNull();
      expect(early()).toBe("");
      await hold.release();
      const done = await attached;
      const plain = await execa(
        "docker",
        [
          ...["run", "--rm", "--label", label, "--network", `container:${sidecarName}`],
          ...Object.keys(env).flatMap((k) => ["-e", k]),
          ...[
            "-e",
            "FROM_FLAG=flag value",
            "-u",
            "1000",
            "-w",
            "/tmp",
            "tp-test-busybox:local",
            "sh",
            "-c",
            script,
          ],
        ],
        { env: { ...process.env, ...env }, reject: false },
      );
      expect(plain.exitCode).toBe(0);
      expect(done.exitCode).toBe(0);
      expect(done.stdout).toBe(plain.stdout);
      expect(done.stdout).toContain("pid 1");
      expect(done.stdout).toContain("[first\nsecond]");
    } finally {
      await hold.close();
      await engine.removeContainer(name, { "dev.tp.managed-by": "tp" });
    }
  });

  it("ends without running the program when tp goes away (its pipe closes)", async () => {
    const { hold, name, attached } = await makeHeld(`e2e${id}b`, ["sh", "-c", "echo ran"]);
    try {
      await new Promise((res) => setTimeout(res, 1_000));
      await hold.close();
      const done = await attached;
      expect(done.exitCode).toBe(125);
      expect(done.stdout).toBe("");
    } finally {
      await engine.removeContainer(name, { "dev.tp.managed-by": "tp" });
    }
  });
});
