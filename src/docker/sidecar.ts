import type Dockerode from "dockerode";
import { PassThrough } from "node:stream";
import { LineSplitter } from "../line-splitter.js";
import { parseStatusLine, type SidecarStatus } from "../contract/sidecar-status.js";
import { sidecarConfigToEnv, type SidecarConfig } from "../contract/sidecar-config.js";
import { TpError } from "../errors.js";
import { dockerError } from "./docker-error.js";
import { forceRemove } from "./local-engine.js";
import { dockerSessionLabels } from "../contract/docker-labels.js";
import { portBindings } from "./published-ports.js";

export interface SidecarOptions {
  sessionId: string;
  image: string;
  config: Partial<SidecarConfig>;
  /** The proxy pod's name: the local hostname, as in the pod. */
  hostname: string;
  /** docker run -p values of the user, published here (the sidecar owns the namespace). */
  publish: string[];
  labels: Record<string, string>;
  /** A Docker network to attach the sidecar to (default: Docker's default bridge). */
  network?: string;
  /** host:ip entries for /etc/hosts, which the user container shares. */
  extraHosts?: string[];
  /** Host folders bind-mounted into the sidecar (`src:dst`): the session folder of the volumes. */
  binds?: string[];
  /** More environment variables (the volume sync configuration). */
  env?: Record<string, string>;
}

/** The longest status line the sidecar prints, with room to spare. */
const maxLineBytes = 1024 * 1024;

/** The running sidecar: its container and the status lines it prints. */
export class StartedSidecar {
  private readonly seen: SidecarStatus[] = [];
  private readonly waiters = new Set<() => void>();
  private listeners: ((s: SidecarStatus) => void)[] = [];
  private ended = false;

  constructor(
    readonly container: Dockerode.Container,
    readonly name: string,
  ) {
    this.died.catch(() => undefined);
  }

  /**
   * Whether the sidecar runs now, as Docker says: false once it has stopped or is gone. Where
   * Docker does not answer, true: the session's own watch of the sidecar decides then.
   */
  async running(): Promise<boolean> {
    return this.container.inspect().then(
      (info) => info.State?.Running === true,
      (err: { statusCode?: number }) => err.statusCode !== 404,
    );
  }

  /** Follow the container's logs and collect its status lines. */
  async follow(): Promise<void> {
    const logs = (await this.container.logs({
      follow: true,
      stdout: true,
      stderr: false,
    })) as NodeJS.ReadableStream;
    const out = new PassThrough();
    this.container.modem.demuxStream(logs, out, new PassThrough());
    const lines = new LineSplitter(maxLineBytes);
    out.on("data", (chunk: Buffer) => {
      for (const line of lines.push(chunk.toString("utf8"))) {
        const status = parseStatusLine(line);
        if (status) this.onStatus(status);
      }
    });
    const end = () => {
      this.ended = true;
      this.wake();
    };
    logs.on("end", end);
    logs.on("error", end);
    // The container's end, as Docker reports it: the session cannot go on without its sidecar.
    this.container.wait().then(
      (r: { StatusCode?: number }) =>
        this.end(`the sidecar ${this.name} stopped (exit code ${r.StatusCode ?? "?"})`),
      (err: { statusCode?: number; message?: string }) =>
        this.end(
          err.statusCode === 404
            ? `the sidecar ${this.name} was removed`
            : `the sidecar ${this.name} cannot be watched: ${err.message ?? String(err)}`,
        ),
    );
  }

  private dead: ((err: TpError) => void) | undefined;
  private removing = false;
  /** Being stopped or removed by tp: its pipes closing are no news. */
  get stopping(): boolean {
    return this.removing;
  }
  /** Rejects when the sidecar stops or is removed by anything but remove(). */
  readonly died: Promise<never> = new Promise<never>((_, reject) => (this.dead = reject));

  private end(message: string): void {
    if (this.removing) return;
    this.dead?.(new TpError("docker-error", message, { hint: `docker logs ${this.name}` }));
  }

  /** Call `listener` for every status line from now on (with `replay`, also those seen so far). */
  onEvent(listener: (s: SidecarStatus) => void, replay = false): void {
    if (replay) for (const s of this.seen) listener(s);
    this.listeners.push(listener);
  }

  private onStatus(status: SidecarStatus): void {
    this.seen.push(status);
    for (const l of this.listeners) l(status);
    this.wake();
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Wait for a status line (counting from `after`, an index in what was seen). */
  async waitFor(event: SidecarStatus["event"], timeoutMs: number, after = 0): Promise<SidecarStatus> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.seen.slice(after).find((s) => s.event === event);
        const failed = this.seen.find((s) => s.event === "error");
        if (found || failed || this.ended) {
          this.waiters.delete(check);
          clearTimeout(timer);
          if (found) resolve(found);
          else if (failed?.event === "error")
            reject(new TpError("docker-error", `the sidecar failed: ${failed.message}`));
          else
            reject(
              new TpError("docker-error", `the sidecar ${this.name} stopped before "${event}"`, {
                hint: `docker logs ${this.name}`,
              }),
            );
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(
          new TpError(
            "timeout",
            `timed out after ${timeoutMs / 1000} s waiting for the sidecar to report "${event}"`,
          ),
        );
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  get count(): number {
    return this.seen.length;
  }

  /**
   * Stop it (it hands the last local writes to the pod's volumes first, within `graceSeconds`),
   * keeping the container (and the labels that name what it used).
   */
  async stop(graceSeconds = 5): Promise<void> {
    this.removing = true;
    await this.container.stop({ t: graceSeconds }).catch(() => undefined);
  }

  async remove(): Promise<void> {
    await this.stop();
    await forceRemove(this.container, this.name);
  }
}

/** Create and start the sidecar: root with NET_ADMIN in its own namespace, which the user container joins. */
export async function startSidecar(docker: Dockerode, options: SidecarOptions): Promise<StartedSidecar> {
  const name = `tp-${options.sessionId}-sidecar`;
  const env = { ...sidecarConfigToEnv(options.config), ...options.env };
  const { exposed, bindings } = portBindings(options.publish);
  let container: Dockerode.Container;
  try {
    container = await docker.createContainer({
      name,
      Image: options.image,
      Cmd: ["sidecar"],
      User: "0",
      Hostname: options.hostname.slice(0, 63),
      Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
      Labels: { ...dockerSessionLabels(options.sessionId, "sidecar"), ...options.labels },
      ExposedPorts: exposed,
      HostConfig: {
        CapAdd: ["NET_ADMIN"],
        PortBindings: bindings,
        ...(options.network ? { NetworkMode: options.network } : {}),
        ...(options.extraHosts?.length ? { ExtraHosts: options.extraHosts } : {}),
        ...(options.binds?.length ? { Binds: options.binds } : {}),
      },
    });
  } catch (err) {
    throw dockerError("create the sidecar container", err);
  }
  const sidecar = new StartedSidecar(container, name);
  try {
    await container.start();
    await sidecar.follow();
  } catch (err) {
    await sidecar.remove().catch(() => undefined);
    throw dockerError("start the sidecar container", err);
  }
  return sidecar;
}
