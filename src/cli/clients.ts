import Dockerode from "dockerode";
import { localEngine, type LocalEngine } from "../docker/local-engine.js";
import { loadKube, type Kube } from "../kube/kube.js";
import { loadConfig } from "./config/index.js";
import type { GlobalOptions } from "./options.js";
import { Progress } from "./progress.js";

/** The Kubernetes clients for a command, from the global options (the namespace also from tp's config). */
export function kubeFrom(options: GlobalOptions): Kube {
  const namespace = loadConfig({ namespace: options.namespace }).namespace.value;
  return loadKube({ kubeconfig: options.kubeconfig, context: options.context, namespace });
}

/** The Docker client: DOCKER_HOST or the local socket. */
export function dockerFrom(): Dockerode {
  return new Dockerode();
}

/** The local engine (Docker API and CLI) for the project commands. */
export function engineFrom(): LocalEngine {
  return localEngine(dockerFrom());
}

export function progressFrom(options: GlobalOptions): Progress {
  return new Progress(
    options.output === "json" ? "json" : options.quiet ? "quiet" : "text",
    process.stderr,
    options.verbose,
  );
}
