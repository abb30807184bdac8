import type Dockerode from "dockerode";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import * as tarFs from "tar-fs";
import { TpError } from "../errors.js";
import { dockerError } from "./docker-error.js";

/**
 * Copy one file out of a container into `folder` (owner-only), so the host needs no compiler
 * for what the image already holds (the preload library of `tp run`). Returns its path there.
 */
export async function copyFileOut(
  container: Dockerode.Container,
  path: string,
  folder: string,
): Promise<string> {
  let archive: NodeJS.ReadableStream;
  try {
    archive = await container.getArchive({ path });
  } catch (err) {
    throw dockerError(`copy ${path} out of the sidecar`, err);
  }
  const name = path.slice(path.lastIndexOf("/") + 1);
  const out = join(folder, name);
  await pipeline(archive, tarFs.extract(folder, { ignore: (entry) => entry !== out }));
  if (!(await stat(out).catch(() => undefined)))
    throw new TpError("docker-error", `${path} is not in the sidecar's image`);
  return out;
}

/** The host port Docker picked for a container's published TCP port. */
export async function publishedPort(container: Dockerode.Container, port: number): Promise<number> {
  const info = await container.inspect().catch((err: unknown) => {
    throw dockerError("inspect the sidecar", err);
  });
  const binding = info.NetworkSettings.Ports[`${port}/tcp`]?.[0];
  if (!binding?.HostPort)
    throw new TpError("docker-error", `the sidecar's port ${port} is not published on the host`);
  return Number(binding.HostPort);
}
