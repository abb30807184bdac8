import { describe, expect, it } from "vitest";
import { heldArgv, isStaticElf } from "./held-start.js";
import { userContainerCommand } from "./user-container.js";
import { parseDockerRunArgs, type DockerRunArgs } from "./docker-run-args.js";

/** `docker run` arguments (after `--`) as tp reads them. */
const run = (...argv: string[]): DockerRunArgs => parseDockerRunArgs(argv);

describe("heldArgv: the program a held container runs, as the daemon makes it", () => {
  it("is the image's ENTRYPOINT and CMD", () => {
    expect(heldArgv({ entrypoint: ["/entry.sh"], cmd: ["serve", "-v"] }, run("app:dev"))).toEqual([
      "/entry.sh",
      "serve",
      "-v",
    ]);
  });

  it("takes the arguments after the image instead of CMD", () => {
    expect(heldArgv({ entrypoint: ["/entry.sh"], cmd: ["serve"] }, run("app:dev", "echo", "hi"))).toEqual([
      "/entry.sh",
      "echo",
      "hi",
    ]);
    expect(heldArgv({ entrypoint: null, cmd: ["sh"] }, run("app:dev", "echo", "hi"))).toEqual(["echo", "hi"]);
  });

  it("does not apply with --entrypoint, with nothing to run, or a program `env` would take for a variable", () => {
    expect(heldArgv({ cmd: ["sh"] }, run("--entrypoint", "/bin/other", "app:dev"))).toBeUndefined();
    expect(heldArgv({ entrypoint: null, cmd: null }, run("app:dev"))).toBeUndefined();
    expect(heldArgv({ cmd: ["A=1"] }, run("app:dev"))).toBeUndefined();
  });
});

/** A 64-bit little-endian ELF header with the given program header types. */
function elf64(types: number[]): Buffer {
  const b = Buffer.alloc(64 + 56 * types.length);
  b.writeUInt32BE(0x7f454c46, 0);
  b[4] = 2;
  b[5] = 1;
  b.writeBigUInt64LE(64n, 32);
  b.writeUInt16LE(56, 54);
  b.writeUInt16LE(types.length, 56);
  types.forEach((t, i) => b.writeUInt32LE(t, 64 + 56 * i));
  return b;
}

describe("isStaticElf", () => {
  it("is true without a PT_INTERP program header", () => {
    expect(isStaticElf(elf64([1, 1, 4]))).toBe(true);
  });

  it("is false for a dynamically linked program, a cut file or no ELF", () => {
    expect(isStaticElf(elf64([6, 3, 1]))).toBe(false);
    expect(isStaticElf(elf64([1, 3]).subarray(0, 100))).toBe(false);
    expect(isStaticElf(Buffer.from("#!/bin/sh\necho this is a script, not a program\n".repeat(2)))).toBe(
      false,
    );
  });
});

describe("userContainerCommand with a hold", () => {
  it("runs the hold's entrypoint with its arguments and mounts, the rest as docker run has it", () => {
    const { argv } = userContainerCommand(
      {
        sessionId: "s1",
        sidecar: "tp-s1-sidecar",
        env: { A: "1" },
        mounts: ["/f/a:/a"],
        run: run("-v", "/x:/x", "-w", "/w", "app:dev", "echo", "hi"),
        labels: {},
        hold: {
          entrypoint: "/.tp-hold/busybox",
          args: ["sh", "-c", "script", "tp-hold", "echo", "hi"],
          mounts: ["/h:/.tp-hold/go:ro"],
        },
      },
      "create",
    );
    expect(argv.slice(argv.indexOf("--entrypoint"), argv.indexOf("--entrypoint") + 2)).toEqual([
      "--entrypoint",
      "/.tp-hold/busybox",
    ]);
    expect(argv.filter((_, i) => argv[i - 1] === "-v")).toEqual(["/f/a:/a", "/x:/x", "/h:/.tp-hold/go:ro"]);
    expect(argv.slice(argv.indexOf("app:dev"))).toEqual([
      "app:dev",
      "sh",
      "-c",
      "script",
      "tp-hold",
      "echo",
      "hi",
    ]);
    expect(argv).toContain("/w");
  });
});
