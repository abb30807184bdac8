import Dockerode from "dockerode";
import { execa } from "execa";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Duplex } from "node:stream";
import { parseStatusLine, type SidecarConfig, sidecarConfigToEnv } from "../../src/contract/index.js";
import { openExecPipe, openSidecarPipe } from "../../src/docker/open-sidecar-pipe.js";
import { pipeDuplexes } from "../../src/tunnel/index.js";
import { version } from "../../src/version.js";
import { clientScript, dnsServerScript } from "./tunnel-scripts.js";
import { waitFor } from "../../src/wait.js";

export const agentImage = `tp-agent:${version}`;
const nodeModules = new URL("../../node_modules", import.meta.url).pathname;

/** Run docker; resolves with stdout. */
export async function docker(...args: string[]): Promise<string> {
  return (await execa("docker", args)).stdout.trim();
}

/**
 * A pretend cluster and a local sidecar, all labelled with one run id: an internal "cluster"
 * network holding an echo server, a DNS server and a proxy agent, and an internal "local"
 * network holding the sidecar. Only the tunnel joins the two.
 */
export class TunnelWorld {
  readonly id = randomBytes(4).toString("hex");
  readonly label = `tp-e2e=tunnel-${this.id}`;
  readonly docker = new Dockerode();
  readonly networks: string[] = [];
  readonly containers: string[] = [];
  dir = "";
  echoIp = "";
  proxyIp = "";
  proxy = "";
  sidecar = "";
  #pipes: Duplex[] = [];

  name(role: string): string {
    return `tp-e2e-${this.id}-${role}`;
  }

  async network(role: string): Promise<string> {
    const name = this.name(role);
    await docker("network", "create", "--internal", "--label", this.label, name);
    this.networks.push(name);
    return name;
  }

  /** `docker run -d` with the run's label; returns the container name. */
  async run(role: string, args: string[]): Promise<string> {
    const name = this.name(role);
    this.containers.push(name);
    await docker("run", "-d", "--name", name, "--label", this.label, ...args);
    return name;
  }

  /** `docker run --rm` of a one-off container; resolves with its output (stdout and stderr). */
  async once(args: string[], timeoutMs = 60_000): Promise<{ output: string; exitCode: number; ms: number }> {
    const started = Date.now();
    const r = await execa("docker", ["run", "--rm", "--label", this.label, ...args], {
      reject: false,
      all: true,
      timeout: timeoutMs,
    });
    return { output: r.all ?? "", exitCode: r.exitCode ?? -1, ms: Date.now() - started };
  }

  async ip(container: string): Promise<string> {
    return docker("inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", container);
  }

  async start(config: Partial<SidecarConfig>): Promise<void> {
    this.dir = await mkdtemp(join(tmpdir(), "tp-e2e-tunnel-"));
    await writeFile(join(this.dir, "dns-server.cjs"), dnsServerScript);
    await writeFile(join(this.dir, "client.mjs"), clientScript);
    const cluster = await this.network("cluster");
    const local = await this.network("local");
    await this.run("echo", [
      "--network",
      cluster,
      "-e",
      "PORT=8080",
      "-e",
      "NAME=echo",
      "tp-test-echo:local",
    ]);
    this.echoIp = await this.ip(this.name("echo"));
    const dnsArgs = ["--network", cluster, "-e", `ECHO_IP=${this.echoIp}`, "-v", `${this.dir}:/opt/t:ro`];
    const dnsName = await this.run(
      "dns",
      [...dnsArgs, "-v", `${nodeModules}:/opt/node_modules:ro`, "-w", "/opt/t"].concat([
        "tp-node-base:local",
        "node",
        "/opt/t/dns-server.cjs",
      ]),
    );
    const resolv = `nameserver ${await this.ip(dnsName)}\nsearch tp-test.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n`;
    await writeFile(join(this.dir, "resolv.conf"), resolv);
    this.proxy = await this.run("proxy", [
      "--network",
      cluster,
      "-v",
      `${join(this.dir, "resolv.conf")}:/etc/resolv.conf:ro`,
      agentImage,
      "proxy",
    ]);
    this.proxyIp = await this.ip(this.proxy);
    const env = sidecarConfigToEnv(config);
    this.sidecar = await this.run("sidecar", [
      "--network",
      local,
      "--user",
      "0",
      "--cap-add",
      "NET_ADMIN",
      ...Object.entries(env).flatMap(([k, v]) => ["-e", `${k}=${v}`]),
      agentImage,
      "sidecar",
    ]);
    await this.waitFor(this.proxy, (l) => l.includes("tunnel listening"), "proxy listening", true);
    await this.waitForStatus("ready", 1);
  }

  /** The CLI's part: a sidecar pipe joined to a pipe into the proxy's 127.0.0.1:7770. */
  async connect(): Promise<void> {
    const sidecarEnd = await openSidecarPipe(this.docker, this.sidecar);
    const proxyEnd = await openExecPipe(this.docker, this.proxy, [
      "tp-agent",
      "pipe",
      "--connect",
      "127.0.0.1:7770",
    ]);
    this.#pipes.push(sidecarEnd, proxyEnd);
    void pipeDuplexes(sidecarEnd, proxyEnd);
  }

  /** Cut the transport as a dropped port-forward would. */
  disconnect(): void {
    for (const p of this.#pipes.splice(0)) p.destroy();
  }

  /** Lines of a container's stdout (or stdout and stderr). */
  async logs(container: string, withStderr = false): Promise<string[]> {
    const r = await execa("docker", ["logs", container], { reject: false });
    return (withStderr ? `${r.stdout}\n${r.stderr}` : r.stdout).split("\n");
  }

  async waitFor(
    container: string,
    match: (line: string) => boolean,
    what: string,
    withStderr = false,
  ): Promise<void> {
    await this.poll(what, container, async () =>
      (await this.logs(container, withStderr)).some(match) ? true : undefined,
    );
  }

  /** waitFor, with the container's logs in the error. */
  private async poll(what: string, container: string, check: () => Promise<true | undefined>): Promise<void> {
    try {
      await waitFor(what, check, { timeoutMs: 20_000, intervalMs: 150 });
    } catch (err) {
      throw new Error(`${(err as Error).message}; logs:\n${(await this.logs(container, true)).join("\n")}`);
    }
  }

  /** Wait until the sidecar printed `count` status lines of this event. */
  async waitForStatus(event: string, count: number): Promise<void> {
    await this.poll(`the sidecar to print ${count}x ${event}`, this.sidecar, async () => {
      const seen = (await this.logs(this.sidecar)).filter((l) => parseStatusLine(l)?.event === event).length;
      return seen >= count ? true : undefined;
    });
  }

  /** Run the client script in a container joined to the sidecar's namespace. */
  async client(...args: string[]): Promise<string> {
    const r = await this.once(
      [
        "--network",
        `container:${this.sidecar}`,
        "-v",
        `${this.dir}:/opt/t:ro`,
        "tp-node-base:local",
        "node",
        "/opt/t/client.mjs",
        ...args,
      ],
      100_000,
    );
    if (r.exitCode !== 0) throw new Error(`client ${args.join(" ")} failed: ${r.output}`);
    return r.output;
  }

  /** Remove everything this run created, found by its label. */
  async dispose(): Promise<void> {
    this.disconnect();
    const ids = (await docker("ps", "-aq", "--filter", `label=${this.label}`)).split("\n").filter(Boolean);
    if (ids.length > 0) await execa("docker", ["rm", "-f", ...ids], { reject: false });
    for (const n of this.networks) await execa("docker", ["network", "rm", n], { reject: false });
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }
}
