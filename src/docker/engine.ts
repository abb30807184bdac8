import type Dockerode from "dockerode";
import { dockerError } from "./docker-error.js";

/** The Docker engine's version; a TpError when no engine answers. */
export async function dockerEngineVersion(docker: Dockerode): Promise<string> {
  try {
    return (await docker.version()).Version;
  } catch (err) {
    throw dockerError("docker version", err);
  }
}
