import { Command } from "commander";
import { parseDockerRunArgs } from "../../docker/docker-run-args.js";
import { UsageError } from "../../errors.js";
import { dockerFrom, progressFrom } from "../clients.js";
import { parseHostPort, parsePort } from "../expose.js";
import type { GlobalOptions } from "../options.js";
import { dockerRunSession } from "../../session/docker-run-session.js";
import { collect, withWorkloadOptions, type WorkloadFlags } from "../workload-options.js";
import { sessionRequestBase } from "../host-run-request.js";
import { examples } from "../examples.js";
import { checkEnvOutputs } from "../../session/env-output.js";

interface DockerRunFlags extends WorkloadFlags {
  toPod: string[];
  fromPod: string[];
  containerToHost: string[];
  originalMounts: boolean;
  udpIdleTimeout?: string;
}

/** --udp-idle-timeout: seconds (fractions allowed) from 0.1 to a day, as milliseconds. */
function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || seconds < 0.1 || seconds > 86_400)
    throw new UsageError(`--udp-idle-timeout ${value}: expected seconds from 0.1 to 86400`);
  return Math.round(seconds * 1000);
}

export const dockerRunCommand = withWorkloadOptions(new Command("docker-run"), {
  exposeTo: "local",
  udp: true,
})
  .description("run a local container as if it were a pod of the cluster")
  .usage("[options] -- [docker run flags] IMAGE [ARGS...]")
  .option("--udp-idle-timeout <seconds>", "end a UDP flow after this long without a datagram (default 30)")
  .option(
    "--to-pod <port>",
    "local port PORT reaches port PORT on the pod's localhost (repeatable)",
    collect,
    [],
  )
  .option(
    "--from-pod <port>",
    "the pod's localhost:PORT reaches the local container's PORT (repeatable)",
    collect,
    [],
  )
  .option(
    "--container-to-host <cport[:hport]>",
    "the container's localhost:CPORT reaches the host's 127.0.0.1:HPORT",
    collect,
    [],
  )
  .option("--no-original-mounts", "mount the volumes under $TELEPRESENCE_ROOT only, not at their own paths")
  .argument("[docker...]", "docker run flags, IMAGE and its arguments (after --)")
  .action(async function (this: Command, docker: string[], flags: DockerRunFlags) {
    // Everything that can be checked is checked before anything starts.
    const { base, kube } = sessionRequestBase(this, flags, flags.originalMounts);
    const run = parseDockerRunArgs(docker);
    checkEnvOutputs(flags);
    const request = {
      ...base,
      sidecar: {
        ...base.sidecar,
        toPod: flags.toPod.map((p) => parsePort(p, "--to-pod")),
        fromPod: flags.fromPod.map((p) => parsePort(p, "--from-pod")),
        containerToHost: flags.containerToHost.map(parseHostPort),
        ...(flags.udpIdleTimeout !== undefined ? { udpIdleMs: parseSeconds(flags.udpIdleTimeout) } : {}),
      },
      run,
    };
    const progress = progressFrom(this.optsWithGlobals<GlobalOptions>());
    process.exitCode = await dockerRunSession(kube(), dockerFrom(), request, progress);
  });

examples(dockerRunCommand, [
  ["tp docker-run --swap-deployment web -- myimage:dev", "replace web's pods with your container"],
  [
    "tp docker-run --intercept web --http-header x-dev=alice -- myimage:dev",
    "only requests with x-dev: alice reach you; web keeps serving the rest",
  ],
  [
    "tp docker-run --new-deployment scratch --expose 8080 -- myimage:dev",
    "a new Deployment and Service for the session",
  ],
]);
