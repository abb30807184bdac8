import type Dockerode from "dockerode";
import { describe, expect, it } from "vitest";
import { StartedSidecar } from "./sidecar.js";

/** A sidecar whose container's inspect answers `answer` (or fails with it). */
function sidecar(answer: { State: { Running: boolean } } | { statusCode?: number; message: string }) {
  const container = {
    inspect: async () => {
      if ("State" in answer) return answer;
      throw Object.assign(new Error(answer.message), answer);
    },
  } as unknown as Dockerode.Container;
  return new StartedSidecar(container, "tp-1-sidecar");
}

describe("StartedSidecar.running", () => {
  it("is what Docker says of the container", async () => {
    expect(await sidecar({ State: { Running: true } }).running()).toBe(true);
    expect(await sidecar({ State: { Running: false } }).running()).toBe(false);
  });

  it("is false for a container that is gone, true where Docker does not answer", async () => {
    expect(await sidecar({ statusCode: 404, message: "no such container" }).running()).toBe(false);
    expect(await sidecar({ statusCode: 500, message: "server error" }).running()).toBe(true);
    expect(await sidecar({ message: "connect ENOENT /var/run/docker.sock" }).running()).toBe(true);
  });
});
