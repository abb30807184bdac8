import type Dockerode from "dockerode";
import type { SocketFolder } from "../docker/socket-folder.js";
import { openSidecarPipe } from "../docker/open-sidecar-pipe.js";
import { serveHostForward, sidecarSockets } from "../tunnel/index.js";
import { systemClock, type Clock } from "../clock.js";

/**
 * --container-to-host: the CLI serves the sidecar's connections to the host's 127.0.0.1 on the
 * allowed ports, over a pipe into the sidecar that is reopened whenever it drops.
 */
export class HostForwardLink {
  private readonly stopping = new AbortController();

  constructor(
    private readonly docker: Dockerode,
    private readonly sidecarId: string,
    private readonly hostPorts: number[],
    private readonly sockets?: SocketFolder,
    private readonly clock: Clock = systemClock,
  ) {}

  start(): void {
    void this.run();
  }

  private async run(): Promise<void> {
    const { signal } = this.stopping;
    while (!signal.aborted) {
      try {
        const pipe = await openSidecarPipe(this.docker, this.sidecarId, this.sockets, sidecarSockets.host);
        await serveHostForward(pipe, this.hostPorts);
      } catch {
        // The sidecar is gone or not ready yet; try again unless stopping.
      }
      await this.clock.sleep(500, { signal });
    }
  }

  stop(): void {
    this.stopping.abort();
  }
}
