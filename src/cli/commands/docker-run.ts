import { Command, Option } from "commander";
import { parseDockerRunArgs } from "../../docker/docker-run-args.js";
import { UsageError } from "../../errors.js";
import { dockerFrom, kubeFrom, progressFrom } from "../clients.js";
import { parseExpose, parseHostPort, parsePort } from "../expose.js";
import { loadConfig } from "../config/index.js";
import type { GlobalOptions } from "../options.js";
import { dockerRunSession } from "../../session/docker-run-session.js";
import {
  autoExposes,
  collect,
  destinations,
  volumesOf,
  withInterceptOptions,
  workloadOf,
  type WorkloadFlags,
} from "../workload-options.js";
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

export const dockerRunCommand = withInterceptOptions(new Command("docker-run"))
  .description("run a local container as if it were a pod of the cluster")
  .usage("[options] -- [docker run flags] IMAGE [ARGS...]")
  .option(
    "-s, --swap-deployment <[kind/]name[:container]>",
    "replace the workload's pods with a proxy for this container (NAME: a Deployment; KIND/NAME like kubectl: statefulset/db, rollouts.argoproj.io/web)",
  )
  .option("--swap <[kind/]name[:container]>", "short for --swap-deployment")
  .option("--replica <n>", "with a StatefulSet: the replica whose identity the proxy takes (default 0)")
  .option("--new-deployment <name>", "create a Deployment and Service of this name for the session")
  .option("--deployment <[kind/]name>", "use an existing workload that runs tp-agent as a proxy")
  .option(
    "--expose <port[:remote][/udp]>",
    "deliver connections (or UDP datagrams) to the pod's REMOTE port to local PORT (repeatable)",
    collect,
    [],
  )
  .option("--no-auto-expose", "do not expose the swapped container's ports automatically")
  .option(
    "--also-proxy <host|ip|cidr>",
    "send this destination through the cluster even when --never-proxy covers it",
    collect,
    [],
  )
  .option("--never-proxy <cidr>", "keep TCP and UDP to this CIDR local (repeatable)", collect, [])
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
  .option("--env-file <file>", "also write the pod's environment to FILE (Docker env-file format, mode 0600)")
  .option("--env-json <file>", "also write the pod's environment to FILE as JSON (mode 0600)")
  .option(
    "--mount <false|path>",
    "the host folder for the pod's volumes (default: a new temporary folder); false: no volumes",
  )
  .option("--mount-limit <size>", "skip a volume larger than this (default 1Gi)")
  .option("--no-original-mounts", "mount the volumes under $TELEPRESENCE_ROOT only, not at their own paths")
  .addOption(
    new Option(
      "--agent-image <image>",
      "the tp-agent image (default: $TP_AGENT_IMAGE or tp-agent:<version>)",
    ),
  )
  .argument("[docker...]", "docker run flags, IMAGE and its arguments (after --)")
  .action(async function (this: Command, docker: string[], flags: DockerRunFlags) {
    const global = this.optsWithGlobals<GlobalOptions>();
    // Everything that can be checked is checked before anything starts.
    const config = loadConfig({
      "agent-image": flags.agentImage,
      namespace: global.namespace,
      "never-proxy": flags.neverProxy,
      "also-proxy": flags.alsoProxy,
      mount: flags.mount === "false" ? false : flags.mount,
    });
    const run = parseDockerRunArgs(docker);
    const workload = workloadOf(flags);
    checkEnvOutputs(flags);
    const request = {
      workload,
      sidecar: {
        expose: flags.expose.map(parseExpose),
        alsoProxy: destinations(config["also-proxy"].value ?? [], "--also-proxy", true),
        neverProxy: destinations(config["never-proxy"].value ?? [], "--never-proxy", false),
        toPod: flags.toPod.map((p) => parsePort(p, "--to-pod")),
        fromPod: flags.fromPod.map((p) => parsePort(p, "--from-pod")),
        containerToHost: flags.containerToHost.map(parseHostPort),
        ...(flags.udpIdleTimeout !== undefined ? { udpIdleMs: parseSeconds(flags.udpIdleTimeout) } : {}),
      },
      autoExpose: autoExposes(flags, workload),
      envFile: flags.envFile,
      envJson: flags.envJson,
      agentImage: config["agent-image"].value ?? "",
      volumes: volumesOf(flags, config.mount.value, flags.originalMounts),
      context: global.context,
      run,
    };
    const kube = kubeFrom({ ...global, namespace: config.namespace.value });
    process.exitCode = await dockerRunSession(kube, dockerFrom(), request, progressFrom(global));
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
