import Dockerode from "dockerode";
import { randomBytes } from "node:crypto";
import { PassThrough } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { startAttached } from "../../src/docker/attached-start.js";

// A container in the foreground through the engine's API (what tp docker-run does without a TTY):
// exit codes and output of programs however short, as `docker run --rm` gives them.
const docker = new Dockerode();
const label = `tp-e2e-attached-${randomBytes(4).toString("hex")}`;

afterAll(async () => {
  const left = await docker.listContainers({ all: true, filters: { label: [label] } });
  await Promise.all(
    left.map((c) =>
      docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => undefined),
    ),
  );
});

const collect = () => {
  const stream = new PassThrough();
  let text = "";
  stream.on("data", (c: Buffer) => (text += c.toString()));
  return { stream, text: () => text };
};

async function run(cmd: string[]) {
  const c = await docker.createContainer({
    Image: "tp-test-busybox:local",
    Cmd: cmd,
    Labels: { [label]: "1" },
    HostConfig: { AutoRemove: true },
  });
  const out = collect();
  const err = collect();
  const reports: string[] = [];
  const attached = startAttached(docker, c.id, (m) => reports.push(m), out.stream, err.stream);
  const code = await Promise.race([
    attached.exited,
    new Promise<string>((r) => setTimeout(() => r("no exit seen in 20 s"), 20_000)),
  ]);
  return { code, out: out.text(), err: err.text(), reports };
}

describe("startAttached", () => {
  it("sees the end and the output of programs that end at once", async () => {
    // --rm containers that print and end within a few milliseconds of their start.
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        run(["sh", "-c", `echo out-${i}; echo err-${i} >&2; exit ${i + 1}`]),
      ),
    );
    results.forEach((r, i) => {
      expect(r.code).toBe(i + 1);
      expect(r.out).toBe(`out-${i}\n`);
      expect(r.err).toBe(`err-${i}\n`);
    });
  });

  it("ends with docker run's codes when the program cannot be started", async () => {
    const r = await run(["/no/such/program"]);
    expect(r.code).toBe(127);
    expect(r.reports.join("\n")).toMatch(/no such file or directory/);
  });
});
