import type { V1ContainerStatus, V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { podFailure } from "./wait-for-pod.js";

const pod = (containerStatuses: V1ContainerStatus[], restartPolicy = "Always"): V1Pod => ({
  metadata: { namespace: "ns", name: "web-tp-1" },
  spec: { containers: [], restartPolicy },
  status: { containerStatuses },
});

const status = (
  name: string,
  state: V1ContainerStatus["state"],
  lastState?: V1ContainerStatus["lastState"],
) => ({
  name,
  image: "i",
  imageID: "",
  ready: false,
  restartCount: 1,
  state,
  ...(lastState ? { lastState } : {}),
});

const crashLoop = {
  waiting: { reason: "CrashLoopBackOff", message: "back-off 20s restarting failed container" },
};

describe("podFailure", () => {
  it("says why tp's crash-looping container ended last: the end of its termination message", () => {
    const crashing = pod([
      status("web", crashLoop, {
        terminated: {
          exitCode: 1,
          reason: "Error",
          message: "tp-listen: listen on any:7771: Address in use\n",
        },
      }),
    ]);
    expect(podFailure(crashing, undefined, "web")).toBe(
      "container web of pod ns/web-tp-1 cannot start: CrashLoopBackOff (back-off 20s restarting failed container)" +
        "; its last run exited with code 1: tp-listen: listen on any:7771: Address in use",
    );
  });

  it("skips hints, stack frames and Node's version line, and drops control characters", () => {
    const message = [
      "tp-agent: cannot listen on 7770: \u001b[31mEADDRINUSE\u001b[0m",
      "  hint: another process of the pod serves on that port",
      "Error: x",
      "    at Server.listen (node:net:1)",
      "",
      "Node.js v20.20.2",
    ].join("\n");
    const crashing = pod([status("web", crashLoop, { terminated: { exitCode: 1, message } })]);
    expect(podFailure(crashing, "web")).toMatch(/code 1: Error: x$/);
    const agentLine = pod([
      status("web", crashLoop, {
        terminated: { exitCode: 1, message: message.split("\n").slice(0, 2).join("\n") },
      }),
    ]);
    expect(podFailure(agentLine, "web")).toMatch(
      /code 1: tp-agent: cannot listen on 7770: \[31mEADDRINUSE\[0m$/,
    );
  });

  it("never shows what another container of the pod (the user's program) said", () => {
    const theirs = pod([
      status("sidecar", crashLoop, { terminated: { exitCode: 2, message: "password=hunter2 rejected\n" } }),
    ]);
    expect(podFailure(theirs, undefined, "web")).toBe(
      "container sidecar of pod ns/web-tp-1 cannot start: CrashLoopBackOff (back-off 20s restarting failed container)" +
        "; its last run exited with code 2",
    );
    expect(podFailure(theirs)).not.toContain("hunter2");
  });

  it("says only what is known when there is no message, and nothing while the pod may still start", () => {
    expect(
      podFailure(
        pod([status("web", { waiting: { reason: "CrashLoopBackOff" } }, { terminated: { exitCode: 137 } })]),
        "web",
      ),
    ).toBe(
      "container web of pod ns/web-tp-1 cannot start: CrashLoopBackOff; its last run exited with code 137",
    );
    expect(podFailure(pod([status("web", { waiting: { reason: "CrashLoopBackOff" } })]), "web")).toBe(
      "container web of pod ns/web-tp-1 cannot start: CrashLoopBackOff",
    );
    // Another reason after a run: the last run is not why.
    expect(
      podFailure(
        pod([
          status(
            "web",
            { waiting: { reason: "CreateContainerConfigError", message: 'secret "s" not found' } },
            { terminated: { exitCode: 0 } },
          ),
        ]),
        "web",
      ),
    ).toBe(
      'container web of pod ns/web-tp-1 cannot start: CreateContainerConfigError (secret "s" not found)',
    );
    expect(
      podFailure(pod([status("web", { waiting: { reason: "ContainerCreating" } })]), "web"),
    ).toBeUndefined();
  });

  it("names the exit and tp's last line for a container that ended in a pod that does not restart", () => {
    const ended = pod(
      [
        status("job", {
          terminated: { exitCode: 2, reason: "Error", message: "  \nno such file: /config.yaml\n\n" },
        }),
      ],
      "Never",
    );
    expect(podFailure(ended, undefined, "job")).toBe(
      "container job of pod ns/web-tp-1 exited with code 2 (Error): no such file: /config.yaml",
    );
    expect(podFailure(ended)).toBe("container job of pod ns/web-tp-1 exited with code 2 (Error)");
  });
});
