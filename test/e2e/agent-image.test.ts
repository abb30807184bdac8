import { execa } from "execa";
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { version } from "../../src/version.js";
import { waitFor } from "../../src/wait.js";

const image = `tp-agent:${version}`;
const label = `tp-e2e=agent-image-${randomBytes(4).toString("hex")}`;

async function run(args: string[]): Promise<{ stdout: string; exitCode: number }> {
  const r = await execa("docker", ["run", "--rm", "--label", label, ...args], { reject: false, all: true });
  return { stdout: (r.all ?? "").trim(), exitCode: r.exitCode ?? -1 };
}

describe("the tp-agent image", () => {
  const root = ["--user", "0", "--cap-add", "NET_ADMIN", "--network", "none"];

  it("runs the same Node as the host", async () => {
    expect(await run([...root, "--entrypoint", "node", image, "--version"])).toEqual({
      stdout: process.version,
      exitCode: 0,
    });
  });

  it("has a working iptables with the nat table", async () => {
    const r = await run([...root, "--entrypoint", "iptables", image, "-t", "nat", "-L", "-n"]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain("Chain OUTPUT");
  });

  it("runs under any UID with group 0, without capabilities or privilege escalation", async () => {
    const uid = String(1000680000 + Math.floor(Math.random() * 10000));
    const r = await run([
      ...["--user", `${uid}:0`, "--cap-drop", "ALL", "--security-opt", "no-new-privileges"],
      ...["--network", "none", "--entrypoint", "sh", image, "-c"],
      "id -u; id -g; tp-agent version; touch /tmp/w /home/tp/w && echo writable",
    ]);
    expect(r).toEqual({ stdout: `${uid}\n0\ntp-agent ${version}\nwritable`, exitCode: 0 });
  });

  it("tp-agent version prints the package version", async () => {
    expect((await run([image, "version"])).stdout).toBe(`tp-agent ${version}`);
  });

  it("a REDIRECT rule set in one container redirects a container joined to its namespace, and the addon sees the original destination", async () => {
    const network = `tp-e2e-agent-image-${randomBytes(4).toString("hex")}`;
    const holder = `${network}-holder`;
    const server =
      'const a=require("/opt/tp/original-dst.node");' +
      'require("net").createServer(s=>s.end(JSON.stringify(a.originalDst(s._handle.fd))+"\\n")).listen(9999,()=>console.log("up"))';
    try {
      await execa("docker", ["network", "create", "--internal", "--label", label, network]);
      await execa("docker", [
        "run",
        "-d",
        "--name",
        holder,
        "--label",
        label,
        "--user",
        "0",
        "--cap-add",
        "NET_ADMIN",
        "--network",
        network,
        "--entrypoint",
        "sh",
        image,
        "-c",
        `iptables -t nat -A OUTPUT -p tcp -d 10.255.255.1 -j REDIRECT --to-ports 9999 && exec node -e '${server}'`,
      ]);
      await waitFor(
        "the redirect target to start",
        async () => ((await execa("docker", ["logs", holder])).stdout.includes("up") ? true : undefined),
        { timeoutMs: 15_000, intervalMs: 100 },
      );
      const r = await run([
        "--network",
        `container:${holder}`,
        "tp-test-busybox:local",
        "nc",
        "10.255.255.1",
        "80",
      ]);
      expect(JSON.parse(r.stdout)).toEqual({ address: "10.255.255.1", port: 80 });
    } finally {
      await execa("docker", ["rm", "-f", holder], { reject: false });
      await execa("docker", ["network", "rm", network], { reject: false });
    }
  });
});
