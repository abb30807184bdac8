import { apiVersionOf, groupVersions, servedResources, type ResourceDef } from "../resource-table.js";

const serverAddress = [{ clientCIDR: "0.0.0.0/0", serverAddress: "10.244.0.2:6443" }];

export function apiVersions(): unknown {
  return { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: serverAddress };
}

function groupEntry(group: string): Record<string, unknown> {
  const versions = groupVersions()
    .filter((gv) => gv.group === group)
    .map((gv) => ({ groupVersion: `${group}/${gv.version}`, version: gv.version }));
  return { name: group, versions, preferredVersion: versions[0] };
}

export function apiGroupList(): unknown {
  const groups = [...new Set(groupVersions().map((gv) => gv.group))].filter(Boolean);
  return { kind: "APIGroupList", apiVersion: "v1", groups: groups.map(groupEntry) };
}

export function apiGroup(group: string): unknown | undefined {
  if (!group || !groupVersions().some((gv) => gv.group === group)) return undefined;
  return { kind: "APIGroup", apiVersion: "v1", ...groupEntry(group) };
}

function resourceEntries(r: ResourceDef): Record<string, unknown>[] {
  const main: Record<string, unknown> = {
    name: r.plural,
    singularName: r.singular,
    namespaced: r.namespaced,
    kind: r.kind,
    verbs: r.verbs,
  };
  if (r.shortNames) main.shortNames = r.shortNames;
  if (r.categories) main.categories = r.categories;
  const subs = r.subresources.map((s) => ({
    name: `${r.plural}/${s.name}`,
    singularName: "",
    namespaced: r.namespaced,
    ...(s.group !== undefined ? { group: s.group, version: s.version } : {}),
    kind: s.kind ?? r.kind,
    verbs: s.verbs,
  }));
  return [main, ...subs];
}

export function apiResourceList(group: string, version: string): unknown | undefined {
  const list = servedResources.filter((r) => r.group === group && r.version === version);
  if (!list.length) return undefined;
  return {
    kind: "APIResourceList",
    apiVersion: "v1",
    groupVersion: apiVersionOf({ group, version }),
    resources: list.flatMap(resourceEntries),
  };
}

/** apidiscovery.k8s.io aggregated discovery: every group with its resources in one document. */
export function aggregatedDiscovery(legacy: boolean, version: "v2" | "v2beta1"): unknown {
  const groups = [...new Set(groupVersions().map((gv) => gv.group))].filter((g) =>
    legacy ? g === "" : g !== "",
  );
  return {
    kind: "APIGroupDiscoveryList",
    apiVersion: `apidiscovery.k8s.io/${version}`,
    metadata: {},
    items: groups.map((group) => ({
      metadata: { name: group, creationTimestamp: null },
      versions: groupVersions()
        .filter((gv) => gv.group === group)
        .map((gv) => ({
          version: gv.version,
          resources: servedResources
            .filter((r) => r.group === group && r.version === gv.version)
            .map((r) => ({
              resource: r.plural,
              responseKind: { group: r.group, version: r.version, kind: r.kind },
              scope: r.namespaced ? "Namespaced" : "Cluster",
              singularResource: r.singular,
              verbs: r.verbs,
              ...(r.shortNames ? { shortNames: r.shortNames } : {}),
              ...(r.categories ? { categories: r.categories } : {}),
              ...(r.subresources.length
                ? {
                    subresources: r.subresources.map((s) => ({
                      subresource: s.name,
                      responseKind: {
                        group: s.group ?? r.group,
                        version: s.version ?? r.version,
                        kind: s.kind ?? r.kind,
                      },
                      verbs: s.verbs,
                    })),
                  }
                : {}),
            })),
          freshness: "Current",
        })),
    })),
  };
}
