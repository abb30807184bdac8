import type Dockerode from "dockerode";
import { EventEmitter } from "node:events";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import * as tarStream from "tar-stream";
import { afterEach, describe, expect, it } from "vitest";
import type { LocalEngine } from "../docker/local-engine.js";
import type { UserContainerOptions } from "../docker/user-container.js";
import type { Reporter } from "./reporter.js";
import type { SessionAhead } from "./session-ahead.js";
import { discardUserAhead, makeUserAhead } from "./user-ahead.js";

/** A static ELF (no PT_INTERP), as the agent image's busybox is. */
function staticElf(): Buffer {
  const b = Buffer.alloc(64 + 56);
  b.writeUInt32BE(0x7f454c46, 0);
  b[4] = 2;
  b[5] = 1;
  b.writeBigUInt64LE(64n, 32);
  b.writeUInt16LE(56, 54);
  b.writeUInt16LE(1, 56);
  b.writeUInt32LE(1, 64);
  return b;
}

/**
 * A Docker client whose sidecar holds /bin/busybox and whose containers are attached, waited for
 * and started through the API; and an engine that logs what it is asked.
 */
function fakes() {
  const log: string[] = [];
  const child = Object.assign(new EventEmitter(), {
    kill: (signal: string) => (log.push(`kill ${signal}`), true),
  }) as unknown as ChildProcess;
  const docker = {
    getContainer: (id: string) => ({
      id,
      getArchive: async () => {
        const pack = tarStream.pack();
        pack.entry({ name: "busybox", mode: 0o755 }, staticElf());
        pack.finalize();
        return Readable.from(pack);
      },
      attach: async () => {
        log.push("attach");
        return new PassThrough({
          destroy: (err, done) => (log.push("output closed"), done(err)),
        });
      },
      modem: {
        dial: (o: { path: string }, done: (err: null, res: Readable) => void) => {
          log.push(o.path.includes("/wait") ? "wait" : o.path);
          done(null, new PassThrough());
        },
      },
      start: async () => void log.push("start"),
    }),
  } as unknown as Dockerode;
  const engine = {
    run: async (argv: string[]) => (
      log.push(
        argv
          .slice(0, 1)
          .concat(argv.includes("--entrypoint") ? ["held"] : [])
          .join(" "),
      ),
      { exitCode: 0, stderr: "" }
    ),
    start: (argv: string[]) => (log.push(argv.slice(0, 2).join(" ")), child),
  } as unknown as LocalEngine;
  (engine as { api: Dockerode }).api = docker;
  return { log, docker, engine };
}

const quiet: Reporter = {
  step: () => () => undefined,
  info: () => undefined,
  warn: () => undefined,
  debug: () => undefined,
};
const options = (tty = false): UserContainerOptions => ({
  sessionId: "s1",
  sidecar: "tp-s1-sidecar",
  env: { A: "1" },
  mounts: [],
  run: {
    image: "app",
    args: ["echo", "hi"],
    env: [],
    labels: [],
    volumes: [],
    publish: [],
    interactive: false,
    tty,
    init: false,
  },
  labels: {},
});

let folder: string | undefined;
afterEach(() => folder && rmSync(folder, { recursive: true, force: true }));

describe("the user container made ahead", () => {
  const ahead = (localFolder?: string): Promise<SessionAhead> =>
    Promise.resolve({
      env: { A: "1" },
      sidecar: "tp-s1-sidecar",
      labels: {},
      ...(localFolder ? { localFolder } : {}),
    });

  it("is started held where the session's folder is shared with the engine, and let go of before it is removed", async () => {
    folder = mkdtempSync(join(tmpdir(), "tp-user-ahead-"));
    const { log, docker, engine } = fakes();
    const made = await makeUserAhead(engine, docker, ahead(folder), () => options(), { cmd: ["sh"] }, quiet);
    expect(made?.held).toBeDefined();
    // Without a TTY or stdin: attached, waited for and started through the API, in that order.
    await new Promise((r) => setImmediate(r));
    expect(log.splice(0)).toEqual(["create held", "attach", "wait", "start"]);
    const removed: string[] = [];
    await discardUserAhead(made!, async (name) => void removed.push(name, ...log.splice(0)));
    // Let go of (its output no longer followed) before it is removed.
    expect(removed).toEqual(["tp-s1", "output closed"]);
  });

  it("is only made (its start left for later) with a TTY, or where the folder is not shared", async () => {
    folder = mkdtempSync(join(tmpdir(), "tp-user-ahead-"));
    for (const [a, tty] of [
      [ahead(folder), true],
      [ahead(undefined), false],
    ] as const) {
      const { log, docker, engine } = fakes();
      const made = await makeUserAhead(engine, docker, a, () => options(tty), { cmd: ["sh"] }, quiet);
      expect(made?.held).toBeUndefined();
      expect(log).toEqual(["create"]);
    }
  });

  it("is not made when the session knows nothing ahead", async () => {
    const { log, docker, engine } = fakes();
    expect(
      await makeUserAhead(engine, docker, Promise.resolve(undefined), () => options(), {}, quiet),
    ).toBeUndefined();
    expect(log).toEqual([]);
  });
});
