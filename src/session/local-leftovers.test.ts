import { spawn, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { processAlive } from "../process-alive.js";
import { createSessionFolder } from "../volumes/session-folder.js";
import { recordProgram, removeLocalLeftovers } from "./local-leftovers.js";
import { createLocalRecord, listLocalRecords, localRecordPath } from "./local-record.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "tp-leftovers-test-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The id of a process that has ended (and was reaped). */
function deadPid(): number {
  const r = spawnSync("true");
  if (r.pid === undefined) throw new Error("could not start true");
  return r.pid;
}

/** A record as a tp that was killed left it. */
function deadRecord(id: string, extra: Record<string, unknown> = {}): string {
  const path = localRecordPath(id, dir);
  writeFileSync(path, JSON.stringify({ session: id, host: hostname(), pid: deadPid(), ...extra }), {
    mode: 0o600,
  });
  return path;
}

function folder(name: string, mode = 0o700): string {
  const path = join(dir, name);
  mkdirSync(path, { mode });
  writeFileSync(join(path, "token"), "secret", { mode: 0o600 });
  return path;
}

const noRoot = async () => {
  throw new Error("not expected to need root");
};

async function cleanupAll(): Promise<{ done: string[]; left: string[] }> {
  const done: string[] = [];
  const left: string[] = [];
  for (const r of await listLocalRecords(dir)) {
    if (r.live) continue;
    const out = await removeLocalLeftovers(r, noRoot, dir);
    done.push(...out.done);
    left.push(...out.left);
  }
  return { done, left };
}

describe("a session's local record", () => {
  it("of a dead tp: its session, socket and host folders and the record are removed", async () => {
    const record = deadRecord("a1b2c3d4");
    const volumes = folder("tp-a1b2c3d4-volumes");
    const sockets = folder("tp-a1b2c3d4-run");
    const host = folder("tp-a1b2c3d4-host");
    const { done } = await cleanupAll();
    expect([volumes, sockets, host, record].filter((p) => existsSync(p))).toEqual([]);
    expect(done).toEqual([
      `folder ${host} removed`,
      `session folder ${volumes} removed`,
      `socket folder ${sockets} removed`,
    ]);
  });

  it("of a live tp (this process): nothing is removed", async () => {
    const made = await createLocalRecord("a1b2c3d5", undefined, undefined, dir);
    const volumes = folder("tp-a1b2c3d5-volumes");
    expect(await listLocalRecords(dir)).toEqual([
      { id: "a1b2c3d5", path: localRecordPath("a1b2c3d5", dir), live: true },
    ]);
    expect(await cleanupAll()).toEqual({ done: [], left: [] });
    expect(existsSync(volumes)).toBe(true);
    await made.remove();
    expect(existsSync(localRecordPath("a1b2c3d5", dir))).toBe(false);
  });

  it("is made owner-only, and never over one that exists", async () => {
    await createLocalRecord("a1b2c3d6", "/some/chosen", "team", dir);
    const path = localRecordPath("a1b2c3d6", dir);
    expect(JSON.parse(readFileSync(path, "utf8"))).toMatchObject({
      session: "a1b2c3d6",
      pid: process.pid,
      mount: "/some/chosen",
      namespace: "team",
    });
    expect(spawnSync("stat", ["-c", "%a", path]).stdout.toString().trim()).toBe("600");
    await expect(createLocalRecord("a1b2c3d6", undefined, undefined, dir)).rejects.toThrow(/EEXIST/);
  });

  it("of a dead tp of another host, readable by others, or misnamed: not taken as a leftover", async () => {
    const other = localRecordPath("a1b2c3d7", dir);
    writeFileSync(other, JSON.stringify({ session: "a1b2c3d7", host: "elsewhere", pid: deadPid() }), {
      mode: 0o600,
    });
    const wide = deadRecord("a1b2c3d8");
    spawnSync("chmod", ["644", wide]);
    writeFileSync(
      join(dir, "tp-XYZ-session.json"),
      JSON.stringify({ session: "XYZ", host: hostname(), pid: deadPid() }),
      {
        mode: 0o600,
      },
    );
    const volumes = [folder("tp-a1b2c3d7-volumes"), folder("tp-a1b2c3d8-volumes")];
    expect((await listLocalRecords(dir)).map((r) => [r.id, r.live])).toEqual([["a1b2c3d7", true]]);
    await cleanupAll();
    expect(volumes.filter((p) => existsSync(p))).toEqual(volumes);
  });

  it("that cannot be read (a crash as it was written) counts as dead only a minute on", async () => {
    const path = localRecordPath("a1b2c3d9", dir);
    writeFileSync(path, "", { mode: 0o600 });
    expect((await listLocalRecords(dir)).map((r) => r.live)).toEqual([true]);
    const old = new Date(Date.now() - 61_000);
    utimesSync(path, old, old);
    expect((await listLocalRecords(dir)).map((r) => r.live)).toEqual([false]);
  });

  it("removes only folders as tp makes them: private, real folders of this user", async () => {
    deadRecord("b1b2c3d4");
    const wide = folder("tp-b1b2c3d4-volumes", 0o755);
    const target = folder("precious");
    symlinkSync(target, join(dir, "tp-b1b2c3d4-run"));
    symlinkSync(target, join(dir, "tp-b1b2c3d4-host"));
    const { done } = await cleanupAll();
    expect(done).toEqual([]);
    expect(existsSync(join(wide, "token"))).toBe(true);
    expect(existsSync(join(target, "token"))).toBe(true);
    expect(existsSync(localRecordPath("b1b2c3d4", dir))).toBe(false);
  });

  it("names a chosen session folder (--mount): removed when it holds the session's marker", async () => {
    const chosen = join(dir, "work", "mounted");
    deadRecord("c1b2c3d4", { mount: chosen });
    await createSessionFolder("c1b2c3d4", chosen);
    writeFileSync(join(chosen, "data"), "x");
    const { done, left } = await cleanupAll();
    expect(existsSync(chosen)).toBe(false);
    expect(done).toEqual([`session folder ${chosen} removed`]);
    expect(left).toEqual([]);
  });

  it("never removes a chosen folder that is not the session's", async () => {
    const mine = folder("mine");
    deadRecord("c1b2c3d5", { mount: mine });
    const theirs = join(dir, "theirs");
    await createSessionFolder("c1b2c3d6", theirs);
    deadRecord("c1b2c3d7", { mount: theirs });
    const { left } = await cleanupAll();
    expect(left.sort()).toEqual([mine, theirs].sort());
    expect(existsSync(join(mine, "token"))).toBe(true);
    expect(existsSync(theirs)).toBe(true);
  });

  it("of a dead `tp run`: its program, still running, is ended", async () => {
    deadRecord("d1b2c3d4");
    const host = folder("tp-d1b2c3d4-host");
    const program = spawn("sleep", ["60"], { stdio: "ignore" });
    try {
      const pid = program.pid as number;
      await recordProgram(host, pid);
      const ended = new Promise<NodeJS.Signals | null>((r) => program.once("exit", (_c, s) => r(s)));
      const { done } = await cleanupAll();
      expect(await ended).toBe("SIGTERM");
      expect(done).toEqual([`program ${pid} of session d1b2c3d4 ended`, `folder ${host} removed`]);
    } finally {
      program.kill("SIGKILL");
    }
  });

  it("of a dead `tp run`: a process that got the program's id later is not ended", async () => {
    deadRecord("d1b2c3d5");
    const host = folder("tp-d1b2c3d5-host");
    const other = spawn("sleep", ["60"], { stdio: "ignore" });
    try {
      // Its id, but another start time: another process than the one recorded.
      writeFileSync(join(host, "program.json"), JSON.stringify({ pid: other.pid, started: "1" }));
      const { done } = await cleanupAll();
      expect(done).toEqual([`folder ${host} removed`]);
      expect(processAlive(other.pid as number)).toBe(true);
    } finally {
      other.kill("SIGKILL");
    }
  });
});
