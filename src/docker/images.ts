import type Dockerode from "dockerode";
import { TpError } from "../errors.js";
import { imageExists } from "./local-engine.js";

/** Check that an image exists locally; tp never pulls on its own. */
export async function requireLocalImage(docker: Dockerode, image: string, hint: string): Promise<void> {
  if (!(await imageExists(docker, image)))
    throw new TpError("image-missing", `image ${image} does not exist locally`, { hint });
}
