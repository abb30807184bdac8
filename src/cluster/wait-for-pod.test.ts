import type { V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { podFailure } from "./wait-for-pod.js";

const pod = (status: V1Pod["status"], restartPolicy = "Always"): V1Pod => ({
  metadata: { namespace: "ns", name: "web-tp-1" },
  spec: { containers: [], restartPolicy },
  status,
});

describe("podFailure", () => {
  it("says why a crash-looping container ended last, from the end of its termination message", () => {
    const crashing = pod({
      containerStatuses: [
        {
          name: "web",
          image: "tp-agent",
          imageID: "",
          ready: false,
          restartCount: 2,
          state: {
            waiting: { reason: "CrashLoopBackOff", message: "back-off 20s restarting failed container" },
          },
          lastState: {
            terminated: {
              exitCode: 1,
              reason: "Error",
              message:
                "tp-agent proxy: starting\ntp-agent: listen EADDRINUSE: address already in use :::7771\n",
            },
          },
        },
      ],
    });
    expect(podFailure(crashing)).toBe(
      "container web of pod ns/web-tp-1 cannot start: CrashLoopBackOff (back-off 20s restarting failed container)" +
        "; its last run exited with code 1: tp-agent: listen EADDRINUSE: address already in use :::7771",
    );
  });

  it("says only what is known when there is no message, and nothing while the pod may still start", () => {
    const status = (lastState?: object) =>
      pod({
        containerStatuses: [
          {
            name: "web",
            image: "i",
            imageID: "",
            ready: false,
            restartCount: 1,
            state: { waiting: { reason: "CrashLoopBackOff" } },
            ...(lastState ? { lastState } : {}),
          },
        ],
      });
    expect(podFailure(status({ terminated: { exitCode: 137 } }))).toBe(
      "container web of pod ns/web-tp-1 cannot start: CrashLoopBackOff; its last run exited with code 137",
    );
    expect(podFailure(status())).toBe("container web of pod ns/web-tp-1 cannot start: CrashLoopBackOff");
    expect(
      podFailure(
        pod({
          containerStatuses: [
            {
              name: "web",
              image: "i",
              imageID: "",
              ready: false,
              restartCount: 0,
              state: { waiting: { reason: "ContainerCreating" } },
            },
          ],
        }),
      ),
    ).toBeUndefined();
  });

  it("names the exit and the last line of a container that ended in a pod that does not restart", () => {
    const ended = pod(
      {
        containerStatuses: [
          {
            name: "job",
            image: "i",
            imageID: "",
            ready: false,
            restartCount: 0,
            state: {
              terminated: { exitCode: 2, reason: "Error", message: "  \nno such file: /config.yaml\n\n" },
            },
          },
        ],
      },
      "Never",
    );
    expect(podFailure(ended)).toBe(
      "container job of pod ns/web-tp-1 exited with code 2 (Error): no such file: /config.yaml",
    );
  });
});
