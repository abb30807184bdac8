import type Dockerode from "dockerode";
import type { SocketFolder } from "../docker/socket-folder.js";
import { openSidecarPipe } from "../docker/open-sidecar-pipe.js";
import { serveHostForward, sidecarSockets } from "../tunnel/index.js";

/**
 * --container-to-host: the CLI serves the sidecar's connections to the host's 127.0.0.1 on the
 * allowed ports, over a pipe into the sidecar that is reopened whenever it drops.
 */
export class HostForwardLink {
  private stopped = false;

  constructor(
    private readonly docker: Dockerode,
    private readonly sidecarId: string,
    private readonly hostPorts: number[],
    private readonly sockets?: SocketFolder,
  ) {}

  start(): void {
    void this.run();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        const pipe = await openSidecarPipe(this.docker, this.sidecarId, this.sockets, sidecarSockets.host);
        await serveHostForward(pipe, this.hostPorts);
      } catch {
        // The sidecar is gone or not ready yet; try again unless stopping.
      }
      if (!this.stopped) await new Promise((r) => setTimeout(r, 500));
    }
  }

  stop(): void {
    this.stopped = true;
  }
}
