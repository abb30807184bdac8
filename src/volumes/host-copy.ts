import type { Kube } from "../cluster/kube.js";
import { withAgentSession } from "../cluster/agent-session.js";
import type { RemoteEnd } from "../cluster/remote-end.js";
import { extractWithTar, systemTar } from "./system-tar.js";
import { extractTar } from "./tar-io.js";
import { VolumeClient } from "./volume-client.js";

/**
 * The first copy of large volumes, made by the CLI into the session folder on the host: one
 * port-forward of its own to the agent, one tar stream per share, extracted side by side. Every
 * byte then passes fewer processes than through the sidecar's pipe, and creating the files (the
 * slow part for thousands of them) runs in parallel. The sidecar fixes owners and modes after.
 */
export async function copyOnHost(
  kube: Kube,
  remote: RemoteEnd,
  folder: string,
  request: { shares: string[][]; skip: string[] },
  onBytes: (n: number) => void,
): Promise<void> {
  const tar = systemTar();
  await withAgentSession(kube, remote, async (client, session) => {
    const volumes = new VolumeClient(session);
    await Promise.all(
      request.shares.map(async (paths) => {
        const stream = await volumes.snapshot({ paths, skip: request.skip });
        stream.on("data", (c: Buffer) => onBytes(c.length));
        if (tar) await extractWithTar(tar, folder, stream);
        else await extractTar(folder, stream, { chown: false });
      }),
    );
  });
}
