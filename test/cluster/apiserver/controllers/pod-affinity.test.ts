import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../shared/kube-object.js";
import { AffinityReasons, affinityRefusal, type PlacedPod } from "./pod-affinity.js";

const host = (name: string) => ({ "kubernetes.io/hostname": name, "topology.kubernetes.io/zone": "z1" });
const term = (labels: Record<string, string>, topologyKey = "kubernetes.io/hostname", more = {}) => ({
  labelSelector: { matchLabels: labels },
  topologyKey,
  ...more,
});
const pod = (
  name: string,
  labels: Record<string, string>,
  affinity: Record<string, unknown> = {},
  namespace = "ns",
): KubeObject => ({
  metadata: { name, namespace, labels },
  spec: { containers: [{ name: "c", image: "i" }], affinity },
});
const anti = (...terms: object[]) => ({
  podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: terms },
});
const affine = (...terms: object[]) => ({
  podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: terms },
});
const on = (p: KubeObject, node: string): PlacedPod => ({ pod: p, nodeLabels: host(node) });
const nsLabels = (ns: string) => ({
  "kubernetes.io/metadata.name": ns,
  ...(ns === "other" ? { team: "b" } : {}),
});
const refusal = (p: KubeObject, node: string, placed: PlacedPod[]) =>
  affinityRefusal(p, host(node), placed, nsLabels);

describe("the scheduler's InterPodAffinity filter (required terms)", () => {
  it("keeps a pod off a node where a pod its anti-affinity names runs, and lets it go elsewhere", () => {
    const web = pod("web-1", { app: "web" }, anti(term({ app: "web" })));
    const next = pod("web-2", { app: "web" }, anti(term({ app: "web" })));
    expect(refusal(next, "n1", [on(web, "n1")])).toBe(AffinityReasons.antiAffinity);
    expect(refusal(next, "n2", [on(web, "n1")])).toBeUndefined();
    // A wider domain: the zone both nodes share.
    const zonal = pod("web-3", { app: "web" }, anti(term({ app: "web" }, "topology.kubernetes.io/zone")));
    expect(refusal(zonal, "n2", [on(web, "n1")])).toBe(AffinityReasons.antiAffinity);
    // A node without the topology key is no domain of the term.
    expect(affinityRefusal(next, { other: "x" }, [on(web, "n1")], nsLabels)).toBeUndefined();
  });

  it("keeps a pod without affinity off a node whose pods' anti-affinity names it", () => {
    const web = pod("web-1", { app: "web" }, anti(term({ app: "web" })));
    const plain = pod("copy", { app: "web", extra: "x" });
    expect(refusal(plain, "n1", [on(web, "n1")])).toBe(AffinityReasons.existingAntiAffinity);
    expect(refusal(plain, "n2", [on(web, "n1")])).toBeUndefined();
    expect(refusal(pod("db", { app: "db" }), "n1", [on(web, "n1")])).toBeUndefined();
  });

  it("scopes a term to its pod's namespace unless it names namespaces or selects them", () => {
    const web = pod("web-1", { app: "web" }, anti(term({ app: "web" })));
    const elsewhere = pod("web", { app: "web" }, {}, "other");
    expect(refusal(elsewhere, "n1", [on(web, "n1")])).toBeUndefined();
    const named = pod("w", { app: "web" }, anti(term({ app: "web" }, undefined, { namespaces: ["other"] })));
    expect(refusal(named, "n1", [on(elsewhere, "n1")])).toBe(AffinityReasons.antiAffinity);
    expect(refusal(named, "n1", [on(pod("web-0", { app: "web" }), "n1")])).toBeUndefined();
    const all = pod("w", { app: "web" }, anti(term({ app: "web" }, undefined, { namespaceSelector: {} })));
    expect(refusal(all, "n1", [on(elsewhere, "n1")])).toBe(AffinityReasons.antiAffinity);
    const team = pod(
      "w",
      { app: "web" },
      anti(term({ app: "web" }, undefined, { namespaceSelector: { matchLabels: { team: "b" } } })),
    );
    expect(refusal(team, "n1", [on(elsewhere, "n1")])).toBe(AffinityReasons.antiAffinity);
    expect(refusal(team, "n1", [on(pod("web-0", { app: "web" }), "n1")])).toBeUndefined();
  });

  it("a term without a label selector matches no pod", () => {
    const web = pod("web-1", { app: "web" });
    const noSelector = pod("w", {}, anti({ topologyKey: "kubernetes.io/hostname" }));
    expect(refusal(noSelector, "n1", [on(web, "n1")])).toBeUndefined();
    const everything = pod("w", {}, anti({ labelSelector: {}, topologyKey: "kubernetes.io/hostname" }));
    expect(refusal(everything, "n1", [on(web, "n1")])).toBe(AffinityReasons.antiAffinity);
  });

  it("places a pod with affinity beside a pod it names; the first of a series that names itself anywhere", () => {
    const cache = pod("cache", { app: "cache" });
    const web = pod("web", { app: "web" }, affine(term({ app: "cache" })));
    expect(refusal(web, "n1", [on(cache, "n1")])).toBeUndefined();
    expect(refusal(web, "n2", [on(cache, "n1")])).toBe(AffinityReasons.affinity);
    expect(refusal(web, "n1", [])).toBe(AffinityReasons.affinity);
    const self = pod("s-1", { app: "s" }, affine(term({ app: "s" })));
    expect(refusal(self, "n2", [])).toBeUndefined();
    expect(refusal(self, "n2", [on(pod("s-0", { app: "s" }), "n1")])).toBe(AffinityReasons.affinity);
    // Every topology key must be on the node, even for the first.
    expect(affinityRefusal(self, {}, [], nsLabels)).toBe(AffinityReasons.affinity);
  });
});
