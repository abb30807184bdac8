import type Dockerode from "dockerode";
import { TpError } from "../errors.js";
import { agentImageFix } from "../version.js";
import { dockerError } from "./docker-error.js";
import { imageExists } from "./local-engine.js";
import type { ImageCommand } from "./held-start.js";

/** Check that an image exists locally; tp never pulls on its own. */
export async function requireLocalImage(docker: Dockerode, image: string, hint: string): Promise<void> {
  if (!(await imageExists(docker, image)))
    throw new TpError("image-missing", `image ${image} does not exist locally`, { hint });
}

/** Check that an image exists locally (as requireLocalImage) and give its ENTRYPOINT and CMD. */
export async function localImageCommand(
  docker: Dockerode,
  image: string,
  hint: string,
): Promise<ImageCommand> {
  try {
    const info = await docker.getImage(image).inspect();
    return {
      entrypoint: info.Config?.Entrypoint as string[] | null,
      cmd: info.Config?.Cmd,
      user: info.Config?.User ?? "",
    };
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404)
      throw new TpError("image-missing", `image ${image} does not exist locally`, { hint });
    throw dockerError(`inspect image ${image}`, err);
  }
}

/** Whether an image reference names a registry host (registry.example.com/x, 127.0.0.1:5000/x). */
function namesRegistry(image: string): boolean {
  const first = image.split("/")[0] ?? "";
  return image.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost");
}

/**
 * Check the agent image: present locally (pulled when it names a registry: the same image the
 * cluster pulls) and built for this tp version.
 */
export async function requireAgentImage(
  docker: Dockerode,
  image: string,
  version: string,
  log: (line: string) => void = () => undefined,
): Promise<void> {
  const inspect = () => docker.getImage(image).inspect();
  let info: Awaited<ReturnType<typeof inspect>>;
  try {
    info = await inspect();
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode !== 404) throw dockerError("inspect image " + image, err);
    const hint = `build it: ${agentImageFix}`;
    if (!namesRegistry(image))
      throw new TpError("image-missing", `image ${image} does not exist locally`, { hint });
    log(`pulling ${image}`);
    try {
      const stream = await docker.pull(image);
      await new Promise((resolve, reject) =>
        docker.modem.followProgress(stream, (e: Error | null) => (e ? reject(e) : resolve(undefined))),
      );
      info = await inspect();
    } catch (pullErr) {
      throw new TpError(
        "image-missing",
        `image ${image} is not here and could not be pulled: ${dockerError("pull", pullErr).message}`,
        { hint },
      );
    }
  }
  const built = info.Config?.Labels?.["dev.tp.version"];
  if (built !== undefined && built !== version)
    throw new TpError(
      "version-mismatch",
      `agent image ${image} is tp-agent ${built}, this tp is ${version}`,
      {
        hint: `build this version's image: ${agentImageFix}`,
      },
    );
}
