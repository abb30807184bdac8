import { parsePublish } from "./published-ports.js";
import { readFileSync } from "node:fs";
import { UsageError } from "../errors.js";

/** What follows `--` in `tp docker-run`, understood the way `docker run` understands it. */
export interface DockerRunArgs {
  image: string;
  /** Arguments after the image. */
  args: string[];
  /** -e/--env and --env-file entries in order, as NAME=VALUE or NAME (take it from tp's environment). */
  env: string[];
  volumes: string[];
  labels: string[];
  /** -p/--publish: published on the sidecar, which owns the network namespace. */
  publish: string[];
  workdir?: string;
  user?: string;
  entrypoint?: string;
  name?: string;
  interactive: boolean;
  tty: boolean;
  init: boolean;
  /**
   * Flags about the container alone (capabilities, limits, mounts of its own…), passed to docker
   * as given: `--flag value`, or `--flag=true|false` for a switch.
   */
  passthrough?: string[];
}

type Kind = "value" | "bool";
const flags: Record<string, { kind: Kind; key: keyof DockerRunArgs | "envFile" | "rm" }> = {
  "-e": { kind: "value", key: "env" },
  "--env": { kind: "value", key: "env" },
  "--env-file": { kind: "value", key: "envFile" },
  "-v": { kind: "value", key: "volumes" },
  "--volume": { kind: "value", key: "volumes" },
  "-w": { kind: "value", key: "workdir" },
  "--workdir": { kind: "value", key: "workdir" },
  "-u": { kind: "value", key: "user" },
  "--user": { kind: "value", key: "user" },
  "--entrypoint": { kind: "value", key: "entrypoint" },
  "--name": { kind: "value", key: "name" },
  "-l": { kind: "value", key: "labels" },
  "--label": { kind: "value", key: "labels" },
  "-p": { kind: "value", key: "publish" },
  "--publish": { kind: "value", key: "publish" },
  "-i": { kind: "bool", key: "interactive" },
  "--interactive": { kind: "bool", key: "interactive" },
  "-t": { kind: "bool", key: "tty" },
  "--tty": { kind: "bool", key: "tty" },
  "--init": { kind: "bool", key: "init" },
  "--rm": { kind: "bool", key: "rm" },
};

/** tp's own flags, before the pass-through ones join the table. */
const ownFlags = Object.keys(flags);

/**
 * docker run flags that concern the container alone, passed through as they are. Left out: what
 * tp owns (the network namespace and all it holds: --network, --hostname, --dns, --add-host,
 * --expose, -P; the container's life: -d, --restart, --pull, --sig-proxy) and what makes no sense
 * for a container of a session.
 */
const passthroughFlags = [
  "--cap-add",
  "--cap-drop",
  "--security-opt",
  "--privileged",
  "--read-only",
  "--userns",
  "--cgroupns",
  "--cgroup-parent",
  "--ipc",
  "--group-add",
  "--tmpfs",
  "--mount",
  "--volumes-from",
  "--device",
  "--device-cgroup-rule",
  "--gpus",
  "--shm-size",
  "--ulimit",
  "--sysctl",
  "-m",
  "--memory",
  "--memory-reservation",
  "--memory-swap",
  "--memory-swappiness",
  "--oom-kill-disable",
  "--oom-score-adj",
  "-c",
  "--cpu-shares",
  "--cpus",
  "--cpu-period",
  "--cpu-quota",
  "--cpuset-cpus",
  "--cpuset-mems",
  "--pids-limit",
  "--blkio-weight",
  "--stop-signal",
  "--stop-timeout",
  "--log-driver",
  "--log-opt",
  "--label-file",
  "--platform",
  "--runtime",
  "--health-cmd",
  "--health-interval",
  "--health-retries",
  "--health-start-period",
  "--health-timeout",
  "--no-healthcheck",
];
const passthroughSwitches = new Set([
  "--privileged",
  "--read-only",
  "--oom-kill-disable",
  "--no-healthcheck",
]);
for (const flag of passthroughFlags)
  flags[flag] = { kind: passthroughSwitches.has(flag) ? "bool" : "value", key: "passthrough" };

/** Read a Docker env file: NAME=VALUE lines, NAME alone to take it from the environment, # comments. */
export function readEnvFile(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    throw new UsageError(`cannot read --env-file ${path}`, { cause });
  }
  return text
    .split(/\r?\n/)
    .map((l) => l.replace(/^\s+/, ""))
    .filter((l) => l !== "" && !l.startsWith("#"));
}

/** Parse `[docker run flags] IMAGE [ARGS...]`; unknown flags are an error that names them. */
export function parseDockerRunArgs(argv: string[]): DockerRunArgs & { passthrough: string[] } {
  const out: DockerRunArgs & { passthrough: string[] } = {
    image: "",
    args: [],
    env: [],
    volumes: [],
    labels: [],
    publish: [],
    interactive: false,
    tty: false,
    init: false,
    passthrough: [],
  };
  let i = 0;
  const set = (key: string, kind: Kind, value: string | undefined, flag: string) => {
    if (kind === "bool") {
      if (value !== undefined && value !== "true" && value !== "false") {
        throw new UsageError(`docker run flag ${flag} takes no value (got "${value}")`);
      }
      if (key === "passthrough") out.passthrough.push(`${flag}=${value !== "false"}`);
      else if (key !== "rm") (out as unknown as Record<string, boolean>)[key] = value !== "false";
      return;
    }
    if (value === undefined) throw new UsageError(`docker run flag ${flag} needs a value`);
    if (key === "passthrough") out.passthrough.push(flag, value);
    else if (key === "envFile") out.env.push(...readEnvFile(value));
    else if (Array.isArray(out[key as keyof DockerRunArgs]))
      (out[key as keyof DockerRunArgs] as string[]).push(value);
    else (out as unknown as Record<string, string>)[key] = value;
  };
  for (; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--") {
      i++;
      break;
    }
    if (!arg.startsWith("-") || arg === "-") break;
    const eq = arg.indexOf("=");
    const name = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
    const inline = arg.startsWith("--") && eq > 0 ? arg.slice(eq + 1) : undefined;
    const spec = flags[name];
    if (spec) {
      const value = spec.kind === "value" && inline === undefined ? argv[++i] : inline;
      set(spec.key, spec.kind, value, name);
      continue;
    }
    // Short flags grouped (-it) or with an attached value (-eFOO=1).
    if (/^-[a-zA-Z]/.test(arg) && !arg.startsWith("--")) {
      const chars = arg.slice(1);
      for (let j = 0; j < chars.length; j++) {
        const short = flags[`-${chars[j]}`];
        if (!short) throw unknownFlag(`-${chars[j]}`);
        if (short.kind === "bool") {
          set(short.key, "bool", undefined, `-${chars[j]}`);
          continue;
        }
        const rest = chars.slice(j + 1);
        set(short.key, "value", rest !== "" ? rest : argv[++i], `-${chars[j]}`);
        break;
      }
      continue;
    }
    throw unknownFlag(name);
  }
  const image = argv[i];
  if (image === undefined)
    throw new UsageError("no image given: tp docker-run [options] -- [docker run flags] IMAGE [ARGS...]");
  out.image = image;
  out.args = argv.slice(i + 1);
  out.publish.forEach(parsePublish);
  return out;
}

function unknownFlag(flag: string): UsageError {
  return new UsageError(`docker run flag ${flag} is not supported by tp docker-run`, {
    hint:
      `supported: ${ownFlags.join(" ")}, and flags about the container alone (--cap-add, ` +
      "--security-opt, --memory, --cpus, --mount, --tmpfs, --read-only…); tp owns the network " +
      "namespace and the container's life",
  });
}
