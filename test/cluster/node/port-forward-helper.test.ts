import type { Socket } from "node:net";
import type Docker from "dockerode";
import { describe, expect, it, vi } from "vitest";
import { PortForwardHelpers } from "./port-forward-helper.js";

const errno = (code: string) => Object.assign(new Error(`connect ${code} /pf/pf.sock`), { code });

/** Helpers whose single connect attempts give `results` in turn (an Error rejects). */
function helpersAnswering(results: (Error | Socket)[]) {
  const helpers = new PortForwardHelpers({} as Docker);
  const once = vi
    .spyOn(helpers as unknown as { dialOnce(sock: string, port: number): Promise<Socket> }, "dialOnce")
    .mockImplementation(async () => {
      const next = results.shift();
      if (!next) throw new Error("no more answers");
      if (next instanceof Error) throw next;
      return next;
    });
  return { helpers, once };
}

describe("PortForwardHelpers.dial", () => {
  it("tries again while the helper's backlog is full (EAGAIN), as a blocking connect waits", async () => {
    const socket = {} as Socket;
    const { helpers, once } = helpersAnswering([errno("EAGAIN"), errno("EAGAIN"), socket]);
    await expect(helpers.dial("/pf/pf.sock", 9000)).resolves.toBe(socket);
    expect(once).toHaveBeenCalledTimes(3);
  });

  it("gives up with the helper's own error once the wait is over", async () => {
    const { helpers, once } = helpersAnswering(Array.from({ length: 100 }, () => errno("EAGAIN")));
    await expect(helpers.dial("/pf/pf.sock", 9000, 30)).rejects.toThrow("connect EAGAIN /pf/pf.sock");
    expect(once.mock.calls.length).toBeGreaterThan(1);
    expect(once.mock.calls.length).toBeLessThan(10);
  });

  it("fails at once on any other error (nothing listens on the port)", async () => {
    const { helpers, once } = helpersAnswering([new Error("connect ECONNREFUSED 127.0.0.1:9009")]);
    await expect(helpers.dial("/pf/pf.sock", 9009)).rejects.toThrow("ECONNREFUSED");
    expect(once).toHaveBeenCalledTimes(1);
  });
});
