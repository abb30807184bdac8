import type Dockerode from "dockerode";
import { dockerError } from "../docker/docker-error.js";
import type { LocalEngine } from "../docker/local-engine.js";
import { DockerLabels } from "../contract/docker-labels.js";
import { loadProject } from "./load-project.js";
import { describeService } from "./plan.js";
import { projectIdentity } from "./project-identity.js";
import { projectFilter, ProjectLabels } from "./project-labels.js";
import { readState, stateProcessAlive, statePaths } from "./project-state.js";

export interface ServiceStatus {
  service: string;
  kind: string;
  /** running, exited (N), starting, not running, ... */
  state: string;
  health?: string;
  container?: string;
  sidecar?: string;
  session?: string;
  namespace?: string;
  address?: string;
  ports: string[];
}

export interface ProjectStatus {
  project: string;
  file: string;
  /** The `tp up` that runs it, if any. */
  status: string;
  pid?: number;
  services: ServiceStatus[];
}

function ports(c: Dockerode.ContainerInfo | undefined): string[] {
  return (c?.Ports ?? [])
    .filter((p) => p.PublicPort)
    .map((p) => `${p.IP && p.IP !== "0.0.0.0" ? `${p.IP}:` : ""}${p.PublicPort}->${p.PrivatePort}/${p.Type}`)
    .filter((p, i, all) => all.indexOf(p) === i);
}

/** tp ps: every service of the file with the state of its containers. */
export async function projectStatus(
  options: { file?: string; projectName?: string },
  engine: LocalEngine,
): Promise<ProjectStatus> {
  const id = projectIdentity(options.file, options.projectName);
  const state = readState(statePaths(id.dir, id.name).state);
  const live = state !== undefined && stateProcessAlive(state);
  let containers: Dockerode.ContainerInfo[];
  try {
    containers = await engine.api.listContainers({ all: true, filters: projectFilter(id.name) });
  } catch (err) {
    throw dockerError("list containers", err);
  }
  let declared: { name: string; kind: string }[] = [];
  try {
    declared = loadProject({
      file: id.file,
      ...(options.projectName ? { projectName: options.projectName } : {}),
    }).services.map((s) => ({ name: s.name, kind: describeService(s) }));
  } catch {
    // A broken file: show what runs.
  }
  const names = [...declared.map((d) => d.name)];
  for (const c of containers) {
    const s = c.Labels[ProjectLabels.service];
    if (s && !names.includes(s)) names.push(s);
  }
  const services = names.map((name): ServiceStatus => {
    const mine = containers.filter((c) => c.Labels[ProjectLabels.service] === name);
    const main = mine.find((c) => c.Labels[DockerLabels.role] !== "sidecar");
    const sidecar = mine.find((c) => c.Labels[DockerLabels.role] === "sidecar");
    const recorded = state?.services.find((s) => s.name === name);
    const health = /\((healthy|unhealthy|health: starting)\)/.exec(main?.Status ?? "")?.[1];
    const exited = /^Exited \((\d+)\)/.exec(main?.Status ?? "")?.[1];
    const what = main
      ? exited !== undefined
        ? `exited (${exited})`
        : main.State
      : sidecar
        ? "starting"
        : "not running";
    return {
      service: name,
      kind: declared.find((d) => d.name === name)?.kind ?? recorded?.kind ?? "-",
      state: what,
      ...(health ? { health } : {}),
      ...(main ? { container: (main.Names[0] ?? "").replace(/^\//, "") } : {}),
      ...(sidecar ? { sidecar: (sidecar.Names[0] ?? "").replace(/^\//, "") } : {}),
      ...(sidecar?.Labels[DockerLabels.session] ? { session: sidecar.Labels[DockerLabels.session] } : {}),
      ...(recorded?.namespace ? { namespace: recorded.namespace } : {}),
      ...(recorded?.address ? { address: recorded.address } : {}),
      ports: ports(sidecar ?? main),
    };
  });
  return {
    project: id.name,
    file: id.file,
    status: state
      ? live
        ? state.status
        : "crashed (run tp down)"
      : containers.length
        ? "leftovers (run tp down)"
        : "down",
    ...(state && live ? { pid: state.pid } : {}),
    services,
  };
}

/** The status as a table. */
export function formatStatus(s: ProjectStatus): string {
  const rows = [["SERVICE", "KIND", "STATE", "CONTAINER", "ADDRESS", "PORTS"]];
  for (const v of s.services)
    rows.push([
      v.service,
      v.kind,
      v.state + (v.health ? ` (${v.health})` : ""),
      v.container ?? "-",
      v.address ?? "-",
      v.ports.join(",") || "-",
    ]);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  const table = rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
  return `project ${s.project}: ${s.status}${s.pid ? ` (tp pid ${s.pid})` : ""}\n${table}\n`;
}
