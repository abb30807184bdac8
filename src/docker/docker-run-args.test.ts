import { mkdtempSync, writeFileSync } from "node:fs";
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
    writeFileSync(join(dir, "e"), "# comment\nX=1\n\n  Y\n");
    expect(parseDockerRunArgs(["--env-file", join(dir, "e"), "-e", "Z=2", "img"]).env).toEqual([
      "X=1",
      "Y",
      "Z=2",
    ]);
  });

  it("names an unknown flag", () => {
    expect(() => parseDockerRunArgs(["--privileged", "img"])).toThrow(/--privileged is not supported/);
    expect(() => parseDockerRunArgs(["-itx", "img"])).toThrow(/-x is not supported/);
  });

  it("needs an image", () => {
    expect(() => parseDockerRunArgs(["--rm"])).toThrow(/no image given/);
  });

  it("needs a value for a value flag", () => {
    expect(() => parseDockerRunArgs(["-e"])).toThrow(/-e needs a value/);
  });
});
