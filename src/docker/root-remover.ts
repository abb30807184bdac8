import type Dockerode from "dockerode";
import { dockerSessionLabels } from "../contract/docker-labels.js";
import { forceRemove } from "./local-engine.js";

/**
 * Empty a folder as root in a short-lived container of the agent image: for files the user's
 * container created as root in a writable volume when tp itself does not run as root.
 */
export function rootRemover(docker: Dockerode, image: string): (folder: string) => Promise<void> {
  return async (folder) => {
    const container = await docker.createContainer({
      Image: image,
      Entrypoint: ["/bin/busybox"],
      Cmd: ["rm", "-rf", "/v"],
      User: "0",
      Labels: dockerSessionLabels("cleanup", "volume-remover"),
      HostConfig: { Binds: [`${folder}:/v`], NetworkMode: "none" },
    });
    try {
      await container.start();
      await container.wait();
    } finally {
      await forceRemove(container).catch(() => undefined);
    }
  };
}
