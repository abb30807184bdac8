import type Dockerode from "dockerode";
import { afterEach, describe, expect, it } from "vitest";
import type { Kube } from "../kube/kube.js";
import type { RemoteEnd } from "../kube/remote-end.js";
import type { StartedSidecar } from "../docker/sidecar.js";
import type { SocketFolder } from "../docker/socket-folder.js";
import { Interrupt } from "./interrupt.js";
import type { Reporter } from "./reporter.js";
import type { SessionEnds } from "./session-ends.js";
import { Session, type SessionRequest } from "./session.js";

type Stage = "record" | "proxy pod" | "proxy running" | "sidecar ready" | "tunnel" | "warden";

/**
 * Fakes of the cluster and Docker ends that write what they do to `log`. One stage may be held:
 * it waits until the test releases it (the test interrupts meanwhile).
 */
function fakeEnds(hold?: Stage) {
  const log: string[] = [];
  let reached = () => undefined as void;
  let release = () => undefined as void;
  const held = new Promise<void>((r) => (reached = r));
  const released = new Promise<void>((r) => (release = r));
  const stage = async (s: Stage): Promise<void> => {
    if (s !== hold) return;
    reached();
    await released;
  };
  const never = new Promise<never>(() => undefined);
  const ends: SessionEnds = {
    createRecord: async () => {
      await stage("record");
      log.push("record created");
      return { uid: "u", lost: never, delete: async () => (log.push("record deleted"), true) };
    },
    startRemote: async () => {
      await stage("proxy pod");
      log.push("proxy pod created");
      const remote: RemoteEnd = {
        namespace: "ns",
        pod: "web-tp-1",
        container: "app",
        description: "deployment ns/web (swapped)",
        running: stage("proxy running").then(() => void log.push("proxy running")),
        ready: Promise.resolve(),
        restore: async () => (log.push("cluster restored"), ["deployment ns/web restored"]),
      };
      return remote;
    },
    startWarden: async () => {
      await stage("warden");
      log.push("warden made");
      return { remove: async () => (log.push("warden removed"), []) };
    },
    undoRemote: async () => (log.push("cluster undone by name"), []),
    readPodEnv: async () => ({ env: { FROM_POD: "1" } }),
    localRecord: async () => {
      log.push("local record made");
      return { remove: async () => void log.push("local record removed") };
    },
    socketFolder: async () => {
      log.push("socket folder made");
      return {
        labels: {},
        bind: "/tmp/x:/run/tp",
        remove: async () => void log.push("socket folder removed"),
      } as unknown as SocketFolder;
    },
    startSidecar: async () => {
      log.push("sidecar started");
      return {
        name: "tp-1-sidecar",
        container: { id: "c1" },
        waitFor: async () => {
          await stage("sidecar ready");
          log.push("sidecar ready");
          return { event: "ready" };
        },
        onEvent: () => undefined,
        died: never,
        stop: async () => undefined,
        remove: async () => void log.push("sidecar removed"),
      } as unknown as StartedSidecar;
    },
    tunnel: () => ({
      failed: never,
      prepare: async () => undefined,
      start: async () => {
        await stage("tunnel");
        log.push("tunnel up");
      },
      stop: async () => void log.push("tunnel stopped"),
    }),
  };
  return { ends, log, held, release };
}

const quiet: Reporter = {
  debug: () => undefined,
  step: () => () => undefined,
  info: () => undefined,
  warn: () => undefined,
};

const request: SessionRequest = {
  workload: { kind: "swap", name: "web" },
  sidecar: { expose: [] },
  autoExpose: false,
  agentImage: "tp-agent:test",
  publish: [],
};

function session(ends: SessionEnds): Session {
  return new Session({ namespace: "ns" } as Kube, {} as Dockerode, request, quiet, ends);
}

const interrupts: Interrupt[] = [];
afterEach(() => {
  for (const i of interrupts.splice(0)) i.dispose();
});
function newInterrupt(): Interrupt {
  const i = new Interrupt();
  interrupts.push(i);
  return i;
}

const madeInOrder = [
  "record created",
  "warden made",
  "proxy pod created",
  "local record made",
  "socket folder made",
  "sidecar started",
  "proxy running",
  "sidecar ready",
  "tunnel up",
];
// The cluster's restore starts with the first step (its pods start while the local side goes), the
// rest go in the reverse order of doing.
// The socket folder goes before the sidecar, whose label is what names it to tp cleanup; the local
// record, which names the local folders from before the first of them, goes after the last.
const undoneInOrder = [
  "tunnel stopped",
  "cluster restored",
  "socket folder removed",
  "sidecar removed",
  "local record removed",
  "warden removed",
  "record deleted",
];

describe("Session", () => {
  it("undoes in the reverse order of doing, the cluster's restore started first", async () => {
    const { ends, log } = fakeEnds();
    const started = await session(ends).start(newInterrupt());
    expect([...log].sort()).toEqual([...madeInOrder].sort());
    // The warden exists before the first change to the cluster.
    expect(log.slice(0, 3)).toEqual(["record created", "warden made", "proxy pod created"]);
    expect(log.indexOf("tunnel up")).toBe(log.length - 1);
    expect(log.indexOf("local record made")).toBe(log.indexOf("socket folder made") - 1);
    expect(started.env).toMatchObject({
      FROM_POD: "1",
      TELEPRESENCE_POD: "web-tp-1",
      TELEPRESENCE_METHOD: "container",
    });
    log.length = 0;
    await started.stop();
    expect(log).toEqual(undoneInOrder);
  });

  const beforeTunnel = [
    "socket folder removed",
    "cluster restored",
    "sidecar removed",
    "local record removed",
    "warden removed",
    "record deleted",
  ];
  // What was made by the time the interrupted step finished, so what is undone (in reverse).
  const cases: [Stage, string[]][] = [
    ["record", ["record deleted"]],
    ["warden", ["warden removed", "record deleted"]],
    ["proxy pod", ["cluster restored", "warden removed", "record deleted"]],
    // No tunnel yet: the sidecar goes first, the cluster's restore beside it.
    ["proxy running", beforeTunnel],
    ["sidecar ready", beforeTunnel],
    ["tunnel", undoneInOrder],
  ];
  for (const [stage, undone] of cases) {
    it(`an interrupt while waiting for "${stage}" undoes what was made, and nothing else`, async () => {
      const { ends, log, held, release } = fakeEnds(stage);
      const interrupt = newInterrupt();
      const starting = session(ends).start(interrupt);
      await held;
      // The session goes on with what does not wait for the held step.
      await new Promise((r) => setImmediate(r));
      interrupt.raise("SIGINT");
      // The step under way when the signal came finishes anyway, a little later (a call already sent).
      setTimeout(release, 20);
      await expect(starting).rejects.toThrow(/interrupted by SIGINT; the session was undone/);
      expect(log.filter((l) => undoneInOrder.includes(l))).toEqual(undone);
      expect(interrupt.exitCode).toBe(130);
    });
  }

  it("a part of the cluster end lost while the tunnel comes up (an intercept's router) ends the start at once", async () => {
    const { ends, log, held, release } = fakeEnds("tunnel");
    let lose: (err: Error) => void = () => undefined;
    const lost = new Promise<never>((_, reject) => (lose = reject));
    const startRemote = ends.startRemote;
    ends.startRemote = async (...args) => ({ ...(await startRemote(...args)), lost });
    const starting = session(ends).start(newInterrupt());
    await held;
    lose(new Error("the router pod ns/tp-router-web was deleted"));
    // The tunnel's step never finishes by itself here: the start must not wait for it.
    const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error("still starting")), 1_000));
    await expect(Promise.race([starting, timeout])).rejects.toThrow(
      /router pod ns\/tp-router-web was deleted/,
    );
    release();
    expect(log.filter((l) => undoneInOrder.includes(l))).toEqual(undoneInOrder);
  });

  it("a cluster end whose start fails is undone by name from the session's plan", async () => {
    const { ends, log } = fakeEnds();
    ends.startRemote = async () => {
      log.push("proxy pod create failed");
      throw new Error("the API server went away");
    };
    await expect(session(ends).start(newInterrupt())).rejects.toThrow(/went away/);
    expect(log).toEqual([
      "record created",
      "warden made",
      "proxy pod create failed",
      "cluster undone by name",
      "warden removed",
      "record deleted",
    ]);
  });

  it("tells the env known ahead and the sidecar before the tunnel is up, when asked to", async () => {
    const { ends, log, held, release } = fakeEnds("tunnel");
    ends.envAhead = async () => ({ FROM_POD: "1" });
    const s = new Session(
      { namespace: "ns" } as Kube,
      {} as Dockerode,
      { ...request, envAhead: true },
      quiet,
      ends,
    );
    const starting = s.start(newInterrupt());
    await held;
    const ahead = await s.ahead;
    expect(log).not.toContain("tunnel up");
    expect(ahead).toMatchObject({
      sidecar: "tp-1-sidecar",
      env: { FROM_POD: "1", TELEPRESENCE_POD: "web-tp-1", TELEPRESENCE_METHOD: "container" },
    });
    release();
    const started = await starting;
    // What the agent reports is the same env: the container made ahead is the one to start.
    expect(started.env).toEqual(ahead?.env);
    await started.stop();
  });

  it("tells nothing ahead when the env is not known ahead, or when not asked to", async () => {
    const unknown = fakeEnds();
    unknown.ends.envAhead = async () => undefined;
    const s = new Session(
      { namespace: "ns" } as Kube,
      {} as Dockerode,
      { ...request, envAhead: true },
      quiet,
      unknown.ends,
    );
    await (await s.start(newInterrupt())).stop();
    expect(await s.ahead).toBeUndefined();
    const notAsked = fakeEnds();
    let asked = false;
    notAsked.ends.envAhead = async () => ((asked = true), { A: "1" });
    const t = session(notAsked.ends);
    await (await t.start(newInterrupt())).stop();
    expect(asked).toBe(false);
  });
});
