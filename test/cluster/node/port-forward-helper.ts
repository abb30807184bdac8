import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import type Docker from "dockerode";
import { listPodContainers, removeContainer } from "./docker-runtime.js";
import { infraImage } from "./infra-config.js";
import { podLabels } from "./labels.js";

/**
 * The per-pod port-forward helper: a container joined to the pod's network namespace that reaches
 * the pod's loopback for the node, through a Unix socket in the pod's folder (shared with the host).
 */
export class PortForwardHelpers {
  private readonly starting = new Map<string, Promise<string>>();

  constructor(private readonly docker: Docker) {}

  /** The socket of the pod's helper, starting the helper when it is not running. */
  socketFor(uid: string, namespace: string, pod: string, infraId: string, podDir: string): Promise<string> {
    const sock = join(podDir, "pf", "pf.sock");
    const key = `${uid}/${infraId}`;
    // The infra container serves the socket: a helper container only when it does not appear.
    if (existsSync(sock)) return Promise.resolve(sock);
    let p = this.starting.get(key);
    if (!p) {
      p = this.start(uid, namespace, pod, infraId, podDir, sock);
      this.starting.set(key, p);
      p.catch(() => this.starting.delete(key));
    }
    return p;
  }

  /** Wait for helpers of a pod that are being started (before its containers are removed). */
  async settle(uid: string): Promise<void> {
    const pending = [...this.starting].filter(([k]) => k.startsWith(`${uid}/`)).map(([, p]) => p);
    await Promise.allSettled(pending);
    for (const k of [...this.starting.keys()]) if (k.startsWith(`${uid}/`)) this.starting.delete(k);
  }

  private async start(
    uid: string,
    ns: string,
    pod: string,
    infraId: string,
    podDir: string,
    sock: string,
  ): Promise<string> {
    for (let i = 0; i < 100 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 20));
    if (existsSync(sock)) return sock;
    const existing = (await listPodContainers(this.docker, uid)).filter((c) => c.role === "port-forward");
    const running = existing.find(
      (c) => c.info.State.Running && c.info.HostConfig.NetworkMode === `container:${infraId}`,
    );
    if (running && existsSync(sock)) return sock;
    for (const c of existing) await removeContainer(this.docker, c.id);
    await mkdir(join(podDir, "pf"), { recursive: true });
    const c = await this.docker.createContainer({
      name: `tp-k8s_portforward_${pod}_${ns}_${uid}`,
      // The infra program (native/pf-helper.c) serves the socket from any container in the pod.
      Image: infraImage,
      Entrypoint: ["/pause"],
      Labels: podLabels(uid, ns, pod, "portforward", "port-forward", 0),
      HostConfig: {
        NetworkMode: `container:${infraId}`,
        Binds: [`${join(podDir, "pf")}:/pf`],
        RestartPolicy: { Name: "no" },
      },
    });
    await c.start();
    for (let i = 0; i < 250; i++) {
      if (existsSync(sock)) return sock;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error("port-forward helper did not start");
  }

  /**
   * Opens a connection to `port` on the pod's loopback; rejects with the reason when it fails.
   * A helper whose backlog is full refuses a non-blocking connect with EAGAIN where a blocking
   * one would wait for room: it is tried again until `waitMs` have passed.
   */
  async dial(sock: string, port: number, waitMs = 10_000): Promise<Socket> {
    const deadline = Date.now() + waitMs;
    for (let pause = 2; ; pause = Math.min(pause * 2, 50)) {
      try {
        return await this.dialOnce(sock, port);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EAGAIN" || Date.now() + pause > deadline) throw err;
        await new Promise((r) => setTimeout(r, pause));
      }
    }
  }

  private dialOnce(sock: string, port: number): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const s = connect({ path: sock, allowHalfOpen: true });
      let status: number | undefined;
      const fail = (why: string | Error) => {
        if (status === 0) return;
        status ??= 1;
        s.destroy();
        reject(typeof why === "string" ? new Error(why) : why);
      };
      s.on("error", (e) => fail(e));
      s.on("connect", () => {
        const h = Buffer.alloc(2);
        h.writeUInt16BE(port);
        s.write(h);
      });
      const onReadable = () => {
        const b = s.read(1) as Buffer | null;
        if (!b || status !== undefined) return;
        status = b[0];
        s.off("readable", onReadable);
        if (status === 0) return resolve(s);
        const chunks: Buffer[] = [];
        s.on("data", (d: Buffer) => chunks.push(d));
        s.on("end", () => {
          s.destroy();
          reject(new Error(Buffer.concat(chunks).toString() || "connection refused"));
        });
      };
      s.on("readable", onReadable);
      // A helper that closes without a status byte must not leave the port-forward hanging.
      s.once("end", () => {
        if (status === undefined) fail("the pod's port-forward helper closed without an answer");
      });
    });
  }
}
