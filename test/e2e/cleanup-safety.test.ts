import { execa } from "execa";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runTp } from "./support/tp.js";

const dir = mkdtempSync(join(tmpdir(), "tp-cleanup-safety-"));
const containers: string[] = [];

afterAll(async () => {
  if (containers.length) await execa("docker", ["rm", "-f", ...containers], { reject: false });
  rmSync(dir, { recursive: true, force: true });
});

/** A container that looks like a crashed session's sidecar whose volumes label names `folder`. */
async function fakeLeftover(session: string, folder: string): Promise<void> {
  const name = `tp-${session}-sidecar`;
  await execa("docker", [
    "create",
    "--name",
    name,
    ...["--label", "dev.tp.managed-by=tp", "--label", `dev.tp.session=${session}`],
    ...[
      "--label",
      "dev.tp.role=sidecar",
      "--label",
      `dev.tp.host=${hostname()}`,
      "--label",
      "dev.tp.pid=999999",
    ],
    ...["--label", `dev.tp.volumes=${folder}`],
    "tp-test-busybox:local",
    "true",
  ]);
  containers.push(name);
}

describe("tp cleanup and the folders that containers' labels name", () => {
  it("removes a session folder as tp makes them, never another folder a label names", async () => {
    const session = "c1ea0001";
    const own = join(dir, `tp-${session}-volumes`);
    mkdirSync(own, { mode: 0o700 });
    writeFileSync(join(own, "token"), "x", { mode: 0o600 });
    const other = join(dir, "precious");
    mkdirSync(other, { mode: 0o700 });
    writeFileSync(join(other, "work.txt"), "keep me");
    await fakeLeftover(session, own);
    await fakeLeftover("c1ea0002", other);
    const r = await runTp(["cleanup"]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(existsSync(own)).toBe(false);
    expect(existsSync(join(other, "work.txt"))).toBe(true);
    expect(r.stderr + r.stdout).toMatch(/not a session folder/);
  });
});
