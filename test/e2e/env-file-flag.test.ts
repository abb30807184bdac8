import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runTp } from "./support/tp.js";

const dir = mkdtempSync(join(tmpdir(), "tp-env-file-"));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("tp's --env-file is tp's, not Node's", () => {
  it("a missing file gives tp's own error, not Node's exit 9", async () => {
    const file = join(dir, "missing.env");
    const r = await runTp(["docker-run", "--env-file", file, "--", "tp-no-such-image:none", "true"]);
    expect(r.stderr).not.toMatch(/node: .*not found/);
    expect(r.exitCode, r.stderr).toBe(255);
    expect(r.stderr).toMatch(/tp-no-such-image:none/);
    expect(existsSync(file)).toBe(false);
  });

  it("an existing file is refused, left as it was, and never read into tp's environment", async () => {
    for (const form of ["separate", "joined"] as const) {
      const file = join(dir, `user-${form}.env`);
      const text = "TP_AGENT_IMAGE=tp-from-the-user-file:1\nKUBECONFIG=/nonexistent\n";
      writeFileSync(file, text, { mode: 0o644 });
      const flag = form === "separate" ? ["--env-file", file] : [`--env-file=${file}`];
      const r = await runTp(["docker-run", ...flag, "--", "tp-no-such-image:none", "true"]);
      expect(r.exitCode, r.stderr).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`--env-file ${file}: the file exists`));
      expect(r.stderr).not.toMatch(/tp-from-the-user-file|nonexistent/);
      expect(readFileSync(file, "utf8")).toBe(text);
      expect(statSync(file).mode & 0o777).toBe(0o644);
    }
  });

  it("the same for --env-json", async () => {
    const file = join(dir, "user.json");
    writeFileSync(file, "{}\n");
    const r = await runTp(["docker-run", "--env-json", file, "--", "tp-no-such-image:none", "true"]);
    expect(r.exitCode, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/--env-json .*: the file exists/);
    expect(readFileSync(file, "utf8")).toBe("{}\n");
  });
});
