import { NotFoundError, UsageError } from "../errors.js";
import { kubeCall } from "./kube-call.js";
import type { Kube } from "./kube.js";
import { rawJson } from "./raw-request.js";

/** One resource of the API as discovery describes it. */
export interface ApiResource {
  group: string;
  version: string;
  resource: string;
  singular: string;
  kind: string;
  shortNames: string[];
  namespaced: boolean;
  subresources: string[];
}

interface AggregatedList {
  kind?: string;
  items?: {
    metadata?: { name?: string };
    versions?: {
      version: string;
      resources?: {
        resource: string;
        singularResource?: string;
        responseKind?: { kind?: string };
        scope?: string;
        shortNames?: string[];
        subresources?: { subresource: string }[];
      }[];
    }[];
  }[];
}

interface LegacyList {
  resources?: {
    name: string;
    singularName?: string;
    kind: string;
    namespaced: boolean;
    shortNames?: string[];
  }[];
}

const aggregated =
  "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";

function fromAggregated(list: AggregatedList): ApiResource[] {
  const out: ApiResource[] = [];
  for (const g of list.items ?? []) {
    // Versions come in preference order: the first is the group's preferred one.
    for (const v of g.versions ?? []) {
      for (const r of v.resources ?? []) {
        out.push({
          group: g.metadata?.name ?? "",
          version: v.version,
          resource: r.resource,
          singular: r.singularResource ?? "",
          kind: r.responseKind?.kind ?? "",
          shortNames: r.shortNames ?? [],
          namespaced: r.scope === "Namespaced",
          subresources: (r.subresources ?? []).map((s) => s.subresource),
        });
      }
    }
  }
  return out;
}

function fromLegacy(group: string, version: string, list: LegacyList): ApiResource[] {
  const all = list.resources ?? [];
  return all
    .filter((r) => !r.name.includes("/"))
    .map((r) => ({
      group,
      version,
      resource: r.name,
      singular: r.singularName || r.kind.toLowerCase(),
      kind: r.kind,
      shortNames: r.shortNames ?? [],
      namespaced: r.namespaced,
      subresources: all
        .filter((s) => s.name.startsWith(`${r.name}/`))
        .map((s) => s.name.slice(r.name.length + 1)),
    }));
}

/** Discovery of a server without aggregated discovery: one request per group's preferred version. */
async function legacyDiscovery(kube: Kube): Promise<ApiResource[]> {
  const groups = await rawJson<{ groups?: { name: string; preferredVersion?: { version: string } }[] }>(
    kube,
    {
      path: "/apis",
    },
  );
  const lists = await Promise.all([
    rawJson<LegacyList>(kube, { path: "/api/v1" }).then((l) => fromLegacy("", "v1", l)),
    ...(groups.groups ?? []).map((g) => {
      const version = g.preferredVersion?.version ?? "v1";
      return rawJson<LegacyList>(kube, { path: `/apis/${g.name}/${version}` })
        .then((l) => fromLegacy(g.name, version, l))
        .catch(() => [] as ApiResource[]);
    }),
  ]);
  return lists.flat();
}

async function discover(kube: Kube): Promise<ApiResource[]> {
  return kubeCall("discover the cluster's API resources", async () => {
    const [core, groups] = await Promise.all([
      rawJson<AggregatedList>(kube, { path: "/api", accept: aggregated }),
      rawJson<AggregatedList>(kube, { path: "/apis", accept: aggregated }),
    ]);
    if (core.kind !== "APIGroupDiscoveryList" || groups.kind !== "APIGroupDiscoveryList")
      return legacyDiscovery(kube);
    return [...fromAggregated(core), ...fromAggregated(groups)];
  });
}

const cache = new WeakMap<Kube, Promise<ApiResource[]>>();

/** The cluster's API resources, discovered once per set of clients. */
export function apiResources(kube: Kube): Promise<ApiResource[]> {
  let found = cache.get(kube);
  if (!found) {
    found = discover(kube);
    found.catch(() => cache.delete(kube));
    cache.set(kube, found);
  }
  return found;
}

/** kubectl's name for a resource: `statefulsets.apps`, `rollouts.argoproj.io`, `services`. */
export function qualifiedName(r: ApiResource): string {
  return r.group ? `${r.resource}.${r.group}` : r.resource;
}

/**
 * Find the resource a kubectl-style type names (`sts`, `statefulset`, `StatefulSets`,
 * `statefulsets.apps`, `statefulsets.v1.apps`, `rollouts.argoproj.io`), as kubectl's REST mapper
 * does: plural, singular, short name or kind, optionally qualified by group or version.group;
 * the group listed first wins (the core group first), and its preferred version.
 */
export function findApiResource(resources: ApiResource[], type: string): ApiResource | undefined {
  const wanted = type.toLowerCase();
  const names = (r: ApiResource) => [r.resource, r.singular, r.kind.toLowerCase(), ...r.shortNames];
  const candidates: { name: string; group?: string; version?: string }[] = [{ name: wanted }];
  const parts = wanted.split(".");
  if (parts.length > 1) {
    const [name = "", ...rest] = parts;
    candidates.push({ name, group: rest.join(".") });
    if (rest.length > 1) candidates.push({ name, version: rest[0], group: rest.slice(1).join(".") });
  }
  // Without a version, only each group's preferred version (listed first) counts.
  const preferred = new Map<string, string>();
  for (const r of resources) if (!preferred.has(r.group)) preferred.set(r.group, r.version);
  for (const c of candidates) {
    const match = resources.find(
      (r) =>
        (c.group === undefined || r.group === c.group) &&
        r.version === (c.version ?? preferred.get(r.group)) &&
        names(r).includes(c.name),
    );
    if (match) return match;
  }
  return undefined;
}

/** Resources tp can swap: namespaced, with a scale subresource. */
export function scalable(resources: ApiResource[]): ApiResource[] {
  const seen = new Set<string>();
  return resources.filter((r) => {
    const key = `${r.group}/${r.resource}`;
    if (!r.namespaced || !r.subresources.includes("scale") || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The resource of KIND in KIND/NAME, or an error that names what the cluster has. */
export async function resolveWorkloadType(kube: Kube, type: string): Promise<ApiResource> {
  const resources = await apiResources(kube);
  const found = findApiResource(resources, type);
  const kinds = scalable(resources).map(qualifiedName).join(", ");
  if (!found)
    throw new NotFoundError(`the cluster has no resource type "${type}"`, {
      hint: `workloads tp can swap here: ${kinds}`,
    });
  if (!found.namespaced || !found.subresources.includes("scale"))
    throw new UsageError(`${qualifiedName(found)} cannot be swapped: it has no scale subresource`, {
      hint: `tp swaps a workload by scaling it to 0; workloads tp can swap here: ${kinds}`,
    });
  return found;
}
