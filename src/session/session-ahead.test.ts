import { describe, expect, it } from "vitest";
import type { UserContainerOptions } from "../docker/user-container.js";
import type { RemoteEnd } from "../kube/remote-end.js";
import type { StartedSidecar } from "../docker/sidecar.js";
import type { SessionVolumes } from "./session-volumes.js";
import { aheadDifferences, whenKnownAhead } from "./session-ahead.js";

const made: UserContainerOptions = {
  sessionId: "s1",
  sidecar: "tp-s1-sidecar",
  env: { A: "1", SECRET: "x" },
  mounts: ["/tmp/v/a.tar:/var/run/secrets:ro"],
  run: { image: "busybox", args: [], env: [], labels: [], volumes: [], publish: [] } as never,
  labels: { l: "1" },
};

describe("aheadDifferences", () => {
  it("is nothing when the container made ahead is the one the session asks for", () => {
    expect(aheadDifferences(made, structuredClone(made))).toBeUndefined();
  });
  it("names env variables (not their values) and mounts that differ", () => {
    const now = { ...made, env: { A: "1", SECRET: "y", B: "" }, mounts: [] };
    const found = aheadDifferences(made, now);
    expect(found).toBe("env SECRET, B; mounts");
    expect(found).not.toContain("y");
    expect(aheadDifferences(made, { ...made, env: { A: "1" } })).toBe("env SECRET");
  });
});

describe("whenKnownAhead", () => {
  it("gives the env with the pod's planned volumes: the first copy has not said which were copied", async () => {
    const volumes = {
      env: (planned?: boolean) => ({ TELEPRESENCE_MOUNTS: planned ? "/var/run/secrets" : "" }),
    } as unknown as SessionVolumes;
    const remote = { pod: "web-tp-1", container: "web" } as RemoteEnd;
    const sidecar = { name: "tp-1-sidecar" } as StartedSidecar;
    const ahead = await whenKnownAhead(
      Promise.resolve({ A: "1" }),
      Promise.resolve({ sidecar, labels: {}, volumes }),
      remote,
      { debug: () => undefined },
    );
    expect(ahead?.env).toMatchObject({
      A: "1",
      TELEPRESENCE_MOUNTS: "/var/run/secrets",
      TELEPRESENCE_POD: "web-tp-1",
    });
    expect(
      await whenKnownAhead(Promise.resolve(undefined), Promise.resolve({ sidecar, labels: {} }), remote, {
        debug: () => undefined,
      }),
    ).toBeUndefined();
  });
});
