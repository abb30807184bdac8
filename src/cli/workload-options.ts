import { Command, Option } from "commander";
import { isCidr, isHostName } from "../contract/sidecar-config.js";
import { parseWorkload } from "../cluster/workloads.js";
import { UsageError } from "../errors.js";
import type { VolumeRequest } from "../session/session-volumes.js";
import type { Workload } from "../session/workload.js";
import { interceptOf } from "../session/intercept-spec.js";
import { defaultMountLimit, parseMountLimit } from "../volumes/index.js";

/** The flags every way of running a session has (docker-run, run, shell). */
export interface WorkloadFlags {
  swapDeployment?: string;
  swap?: string;
  replica?: string;
  newDeployment?: string;
  deployment?: string;
  intercept?: string;
  service?: string;
  httpHeader: string[];
  httpPath?: string;
  mirror?: boolean;
  expose: string[];
  autoExpose: boolean;
  alsoProxy: string[];
  neverProxy: string[];
  envFile?: string;
  envJson?: string;
  agentImage?: string;
  mount?: string;
  mountLimit?: string;
}

export const collect = (value: string, previous: string[]) => [...previous, value];

/** --intercept and its filters (docker-run, run, shell). */
export function withInterceptOptions(command: Command): Command {
  return command
    .option(
      "--intercept <[kind/]name[:container]>",
      "take the traffic of the Service that selects this workload's pods (matching requests only with --http-*); its pods keep running",
    )
    .option("--service <name>", "with --intercept: the Service to intercept when several select the pods")
    .option(
      "--http-header <key=value>",
      "with --intercept: only requests with this header (name in any case, exact value); repeatable, all must match",
      collect,
      [],
    )
    .option("--http-path <prefix>", "with --intercept: only requests whose path starts with PREFIX")
    .option(
      "--mirror",
      "with --intercept: copy every request to your side; the cluster's clients get the real pods' answers",
    );
}

/** Where --expose delivers, and whether UDP goes too (docker-run: the container; run: the host). */
export interface WorkloadOptionsTarget {
  exposeTo: string;
  udp: boolean;
}

/** Add the workload, network, environment and volume options to a command. */
export function withWorkloadOptions(command: Command, { exposeTo, udp }: WorkloadOptionsTarget): Command {
  return withInterceptOptions(command)
    .option(
      "-s, --swap-deployment <[kind/]name[:container]>",
      "replace the workload's pods with a proxy for this container (NAME: a Deployment; KIND/NAME like kubectl: statefulset/db, rollouts.argoproj.io/web)",
    )
    .option("--swap <[kind/]name[:container]>", "short for --swap-deployment")
    .option("--replica <n>", "with a StatefulSet: the replica whose identity the proxy takes (default 0)")
    .option("--new-deployment <name>", "create a Deployment and Service of this name for the session")
    .option("--deployment <[kind/]name>", "use an existing workload that runs tp-agent as a proxy")
    .option(
      udp ? "--expose <port[:remote][/udp]>" : "--expose <port[:remote]>",
      `deliver connections${udp ? " (or UDP datagrams)" : ""} to the pod's REMOTE port to ${exposeTo} PORT (repeatable)`,
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
    .option(
      "--never-proxy <cidr>",
      `keep ${udp ? "TCP and UDP" : "TCP"} to this CIDR local (repeatable)`,
      collect,
      [],
    )
    .option(
      "--env-file <file>",
      "also write the pod's environment to FILE (Docker env-file format, mode 0600)",
    )
    .option("--env-json <file>", "also write the pod's environment to FILE as JSON (mode 0600)")
    .option(
      "--mount <false|path>",
      "the host folder for the pod's volumes (default: a new temporary folder); false: no volumes",
    )
    .option("--mount-limit <size>", "skip a volume larger than this (default 1Gi)")
    .addOption(
      new Option(
        "--agent-image <image>",
        "the tp-agent image (default: $TP_AGENT_IMAGE or tp-agent:<version>)",
      ),
    );
}

/** --mount (false, a folder, or absent: a new temporary folder) as the session's volume request. */
export function volumesOf(
  flags: WorkloadFlags,
  mount: string | false | undefined,
  originalMounts: boolean,
): VolumeRequest | undefined {
  if (mount === false) return undefined;
  return {
    ...(mount !== undefined && mount !== "true" ? { folder: mount } : {}),
    limitBytes: flags.mountLimit !== undefined ? parseMountLimit(flags.mountLimit) : defaultMountLimit,
    originalMounts,
  };
}

function replicaOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`--replica ${value}: expected a replica number (0, 1, …)`);
  return Number(value);
}

export function workloadOf(flags: WorkloadFlags): Workload {
  const swap = flags.swapDeployment ?? flags.swap;
  const chosen = [
    flags.swapDeployment,
    flags.swap,
    flags.newDeployment,
    flags.deployment,
    flags.intercept,
  ].filter((v) => v !== undefined);
  if (flags.mirror && swap !== undefined) interceptOf({ mirror: true, swap });
  if (chosen.length > 1)
    throw new UsageError(
      "use only one of --swap-deployment (--swap), --intercept, --new-deployment and --deployment",
    );
  const intercepted = interceptOf({ ...flags, swap });
  const replica = replicaOf(flags.replica);
  if (replica !== undefined && swap === undefined)
    throw new UsageError("--replica goes with --swap-deployment");
  if (intercepted) {
    if (replica !== undefined) throw new UsageError("--replica goes with --swap-deployment");
    return intercepted;
  }
  if (swap !== undefined)
    return { kind: "swap", ...parseWorkload(swap), ...(replica !== undefined ? { replica } : {}) };
  if (flags.newDeployment !== undefined) {
    const { name, container, type } = parseWorkload(flags.newDeployment);
    if (container || type)
      throw new UsageError(`--new-deployment takes a name only, not ${flags.newDeployment}`);
    return { kind: "new", name };
  }
  if (flags.deployment !== undefined) {
    const { name, type } = parseWorkload(flags.deployment);
    return { kind: "existing", name, ...(type ? { type } : {}) };
  }
  return { kind: "temporary" };
}

/** The swapped container's ports, or the intercepted Service's, are exposed unless told not to. */
export function autoExposes(flags: { autoExpose: boolean }, workload: Workload): boolean {
  return flags.autoExpose && (workload.kind === "swap" || workload.kind === "intercept");
}

export function destinations(values: string[], flag: string, names: boolean): string[] {
  for (const v of values) {
    if (!isCidr(v) && !(names && isHostName(v))) {
      throw new UsageError(
        `${flag} ${v}: expected ${names ? "a host name, an IPv4 address or a CIDR" : "an IPv4 address or CIDR"}`,
      );
    }
  }
  return values;
}
