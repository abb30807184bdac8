import type Dockerode from "dockerode";
import { TpError } from "../errors.js";

/** Check that an image exists locally; tp never pulls on its own. */
export async function requireLocalImage(docker: Dockerode, image: string, hint: string): Promise<void> {
  try {
    await docker.getImage(image).inspect();
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) {
      throw new TpError("image-missing", `image ${image} does not exist locally`, { hint });
    }
    throw dockerError("inspect image " + image, err);
  }
}

/** A Docker engine error as a TpError. */
export function dockerError(what: string, err: unknown): TpError {
  if (err instanceof TpError) return err;
  const e = err as { code?: string; statusCode?: number; json?: { message?: string }; message?: string };
  if (e.code === "ENOENT" || e.code === "ECONNREFUSED" || e.code === "EACCES") {
    return new TpError("docker-unavailable", `${what}: no Docker engine answers (${e.code})`, {
      cause: err,
      hint: "start Docker (on Debian as root: bash scripts/ensure-docker.sh)",
    });
  }
  return new TpError("docker-error", `${what}: ${e.json?.message ?? e.message ?? String(err)}`, {
    cause: err,
  });
}
