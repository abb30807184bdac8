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

/**
 * Who must own the copy of the pod's volumes for a container of `image` run as `user` (-u; when
 * not given, the image's USER): that user where it is neither root nor tp's own user, so that the
 * program reads and writes its files (the owner-only Secrets too) as a pod's container does;
 * else undefined (tp's user). An image or name that cannot be read gives undefined.
 */
export async function volumesOwnerFor(
  docker: Dockerode,
  image: string,
  user: string | undefined,
): Promise<number | undefined> {
  const as =
    user ??
    (await docker
      .getImage(image)
      .inspect()
      .then((i) => i.Config?.User ?? "")
      .catch(() => undefined));
  if (as === undefined) return undefined;
  const uid = await imageUserUid(docker, image, as).catch(() => undefined);
  return uid !== undefined && uid !== 0 && uid !== process.getuid?.() ? uid : undefined;
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
