import type Dockerode from "dockerode";
import { describe, expect, it } from "vitest";
import { forceRemove } from "./local-engine.js";

/** A container whose removal fails with `error` (Docker's answer) and whose wait reports `waited`. */
function container(error: { statusCode: number; message: string } | undefined, waited: string[]) {
  return {
    id: "c1",
    remove: async () => {
      if (error) throw Object.assign(new Error(error.message), error);
    },
    wait: async (opts: { condition?: string }) => {
      waited.push(opts.condition ?? "");
      return { StatusCode: 0 };
    },
  } as unknown as Dockerode.Container;
}

describe("forceRemove", () => {
  it("a removal already in progress elsewhere (a second tp cleanup) waits for it, not fails", async () => {
    const waited: string[] = [];
    const c = container(
      { statusCode: 409, message: "removal of container c1 is already in progress" },
      waited,
    );
    await expect(forceRemove(c, "tp-x")).resolves.toBe(false);
    expect(waited).toEqual(["removed"]);
  });

  it("a container already gone is no error", async () => {
    await expect(forceRemove(container({ statusCode: 404, message: "no such container" }, []))).resolves.toBe(
      false,
    );
  });

  it("another refusal is an error", async () => {
    await expect(forceRemove(container({ statusCode: 500, message: "boom" }, []), "tp-x")).rejects.toThrow(
      /remove container tp-x/,
    );
  });
});
