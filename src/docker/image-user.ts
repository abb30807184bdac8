import type Dockerode from "dockerode";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dockerSessionLabels } from "../contract/docker-labels.js";
import { forceRemove } from "./local-engine.js";
import { ownerLabels } from "./local-sessions.js";
import { copyFileOut } from "./preload-copy.js";

/** The UID of `name` in the text of an /etc/passwd; undefined when it is not there. */
export function passwdUid(passwd: string, name: string): number | undefined {
  for (const line of passwd.split("\n")) {
    const [user, , uid] = line.split(":");
    if (user === name && uid !== undefined && /^\d+$/.test(uid)) return Number(uid);
  }
  return undefined;
}

/**
 * The UID a container of `image` runs as under `user`, given as docker run's -u takes it or as the
 * image's USER (NAME|UID[:GROUP|GID]; empty: root). A name is looked up in the image's
 * /etc/passwd, read from a container made for it (never started, removed at once); undefined
 * when it is not found there.
 */
export async function imageUserUid(
  docker: Dockerode,
  image: string,
  user: string,
): Promise<number | undefined> {
  const name = user.split(":")[0] ?? "";
  if (name === "" || name === "root") return 0;
  if (/^\d+$/.test(name)) return Number(name);
  const passwd = await readImageFile(docker, image, "/etc/passwd");
  return passwd === undefined ? undefined : passwdUid(passwd, name);
}

async function readImageFile(docker: Dockerode, image: string, path: string): Promise<string | undefined> {
  let container: Dockerode.Container | undefined;
  const folder = await mkdtemp(join(tmpdir(), "tp-image-file-"));
  try {
    container = await docker.createContainer({
      Image: image,
      // Never run: an entrypoint is only needed where the image has none.
      Entrypoint: ["/"],
      // Its owner's labels: `tp cleanup` leaves it to this process while it runs.
      Labels: dockerSessionLabels(`preflight-${process.pid}`, "image-reader", ownerLabels()),
      HostConfig: { NetworkMode: "none" },
    });
    return await readFile(await copyFileOut(container, path, folder), "utf8");
  } catch {
    return undefined;
  } finally {
    if (container) await forceRemove(container).catch(() => undefined);
    await rm(folder, { recursive: true, force: true });
  }
}
