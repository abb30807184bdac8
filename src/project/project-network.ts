import type Dockerode from "dockerode";
import { dockerError } from "../docker/docker-error.js";
import { TpError } from "../errors.js";
import type { Project } from "./model.js";
import { projectFilter, projectLabels, ProjectLabels } from "./project-labels.js";

/** The project's Docker network: local services reach each other on it by service name. */
export interface ProjectNetwork {
  name: string;
  /** An IPv4 /24: every service has a fixed address in it, known before anything starts. */
  subnet: string;
}

/** The fixed address of the service at `index` (in file order). */
export function serviceAddress(network: ProjectNetwork, index: number): string {
  const base = network.subnet.split("/")[0]?.split(".").slice(0, 3).join(".");
  return `${base}.${10 + index}`;
}

function toRange(cidr: string): [number, number] | undefined {
  const [ip, bits] = cidr.split("/");
  const parts = ip?.split(".").map(Number);
  if (!parts || parts.length !== 4 || parts.some((p) => Number.isNaN(p))) return undefined;
  const start = parts.reduce((a, p) => a * 256 + p, 0);
  const size = 2 ** (32 - Number(bits ?? 32));
  const first = start - (start % size);
  return [first, first + size - 1];
}

/** The first 172.29.N.0/24 that overlaps none of the given subnets. */
export function freeSubnet(taken: string[]): string | undefined {
  const ranges = taken.map(toRange).filter((r): r is [number, number] => r !== undefined);
  for (let n = 0; n < 256; n++) {
    const candidate = `172.29.${n}.0/24`;
    const [a, b] = toRange(candidate) as [number, number];
    if (!ranges.some(([c, d]) => a <= d && c <= b)) return candidate;
  }
  return undefined;
}

/** Create the network (or take over the one a crashed run left). */
export async function createProjectNetwork(
  docker: Dockerode,
  project: Project,
  name: string,
): Promise<ProjectNetwork> {
  try {
    const existing = (await docker.listNetworks({ filters: { name: [name] } })).find((n) => n.Name === name);
    if (existing) {
      if (existing.Labels?.[ProjectLabels.project] !== project.name)
        throw new TpError("conflict", `a Docker network named ${name} exists and is not this project's`, {
          hint: "rename the project (-p NAME or name:)",
        });
      const subnet = existing.IPAM?.Config?.[0]?.Subnet;
      if (subnet) return { name, subnet };
    }
    const all = await docker.listNetworks();
    const taken = all.flatMap((n) =>
      (n.IPAM?.Config ?? []).map((c) => c.Subnet).filter((s): s is string => !!s),
    );
    const subnet = project.tp.subnet ?? freeSubnet(taken);
    if (!subnet)
      throw new TpError("docker-error", "no free /24 in 172.29.0.0/16 for the project network", {
        hint: "set x-tp: subnet",
      });
    await docker.createNetwork({
      Name: name,
      Driver: "bridge",
      CheckDuplicate: true,
      Labels: { ...projectLabels(project), "dev.tp.managed-by": "tp" },
      IPAM: { Driver: "default", Config: [{ Subnet: subnet }] },
    });
    return { name, subnet };
  } catch (err) {
    throw dockerError(`create the project network ${name}`, err);
  }
}

/** Remove the project's networks; returns their names. */
export async function removeProjectNetworks(docker: Dockerode, project: string): Promise<string[]> {
  const removed: string[] = [];
  for (const n of await docker.listNetworks({ filters: projectFilter(project) })) {
    await docker
      .getNetwork(n.Id)
      .remove()
      .then(() => removed.push(n.Name))
      .catch((err: { statusCode?: number }) => {
        if (err.statusCode !== 404) throw dockerError(`remove network ${n.Name}`, err);
      });
  }
  return removed;
}
