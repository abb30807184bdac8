import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseDockerRunArgs } from "./docker-run-args.js";

describe("parseDockerRunArgs", () => {
  it("takes flags, the image and its arguments", () => {
    const a = parseDockerRunArgs([
      "-it",
      "--rm",
      "-e",
      "A=1",
      "--env=B=2",
      "-eC=3",
      "-v",
      "/a:/b",
      "-w",
      "/w",
      "img:1",
      "sh",
      "-c",
      "echo -e hi",
    ]);
    expect(a).toMatchObject({
      image: "img:1",
      args: ["sh", "-c", "echo -e hi"],
      env: ["A=1", "B=2", "C=3"],
      volumes: ["/a:/b"],
      workdir: "/w",
      interactive: true,
      tty: true,
    });
  });

  it("moves -p to the publish list", () => {
    expect(parseDockerRunArgs(["-p", "8080:80", "--publish=9090:90", "img"]).publish).toEqual([
      "8080:80",
      "9090:90",
    ]);
  });

  it("reads --env-file entries in order", () => {
    const dir = mkdtempSync(join(tmpdir(), "tp-"));
    try {
      writeFileSync(join(dir, "e"), "# comment\nX=1\n\n  Y\n");
      expect(parseDockerRunArgs(["--env-file", join(dir, "e"), "-e", "Z=2", "img"]).env).toEqual([
        "X=1",
        "Y",
        "Z=2",
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("passes flags about the container alone through to docker, in order", () => {
    const a = parseDockerRunArgs([
      "--cap-add",
      "SYS_PTRACE",
      "--security-opt=seccomp=unconfined",
      "-itm",
      "64m",
      "--read-only",
      "--privileged=false",
      "--tmpfs",
      "/run",
      "img",
      "--cpus",
      "1",
    ]);
    expect(a.passthrough).toEqual([
      "--cap-add",
      "SYS_PTRACE",
      "--security-opt",
      "seccomp=unconfined",
      "-m",
      "64m",
      "--read-only=true",
      "--privileged=false",
      "--tmpfs",
      "/run",
    ]);
    expect(a).toMatchObject({ image: "img", args: ["--cpus", "1"], interactive: true, tty: true });
  });

  it("names an unknown flag, and refuses those about what tp owns", () => {
    expect(() => parseDockerRunArgs(["--frobnicate", "img"])).toThrow(/--frobnicate is not supported/);
    expect(() => parseDockerRunArgs(["-itx", "img"])).toThrow(/-x is not supported/);
    for (const flag of ["--network", "--hostname", "--dns", "--add-host", "-d", "--restart", "--pull"])
      expect(() => parseDockerRunArgs([flag, "x", "img"])).toThrow(/is not supported/);
  });

  it("needs an image", () => {
    expect(() => parseDockerRunArgs(["--rm"])).toThrow(/no image given/);
  });

  it("needs a value for a value flag", () => {
    expect(() => parseDockerRunArgs(["-e"])).toThrow(/-e needs a value/);
  });
});
