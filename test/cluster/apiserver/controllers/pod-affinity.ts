// The scheduler's InterPodAffinity filter for required terms, as kube-scheduler's interpodaffinity
// plugin does it: the incoming pod's podAffinity and podAntiAffinity against the pods already on
// nodes, and the existing pods' podAntiAffinity against the incoming pod, each term counted per
// topology domain (a node label's key and value).
import { isJsonObject, type JsonObject, type KubeObject } from "../../shared/kube-object.js";
import { matchesSelector, type LabelSelectorObject } from "../selectors/label-selector.js";

/** The plugin's reasons, word for word. */
export const AffinityReasons = {
  affinity: "node(s) didn't match pod affinity rules",
  antiAffinity: "node(s) didn't match pod anti-affinity rules",
  existingAntiAffinity: "node(s) didn't satisfy existing pods anti-affinity rules",
} as const;

/** A pod bound to a node, with that node's labels. */
export interface PlacedPod {
  pod: KubeObject;
  nodeLabels: Record<string, string>;
}

interface Term {
  /** The namespaces named, or the owner's own when neither names nor a selector is given. */
  namespaces: Set<string>;
  /** namespaceSelector (an empty one selects every namespace); absent: none. */
  namespaceSelector?: LabelSelectorObject;
  /** A term without a labelSelector matches no pod. */
  selector?: LabelSelectorObject;
  topologyKey: string;
}

const labelsOf = (o: KubeObject): Record<string, string> =>
  (o.metadata.labels ?? {}) as Record<string, string>;

function requiredTerms(pod: KubeObject, kind: "podAffinity" | "podAntiAffinity"): Term[] {
  const spec = isJsonObject(pod.spec) ? pod.spec : {};
  const affinity = isJsonObject(spec.affinity) ? spec.affinity : {};
  const rules = isJsonObject(affinity[kind]) ? (affinity[kind] as JsonObject) : {};
  const terms = rules.requiredDuringSchedulingIgnoredDuringExecution;
  return (Array.isArray(terms) ? terms : []).filter(isJsonObject).map((t) => {
    const names = Array.isArray(t.namespaces) ? t.namespaces.filter((n) => typeof n === "string") : [];
    const nsSelector = isJsonObject(t.namespaceSelector)
      ? (t.namespaceSelector as LabelSelectorObject)
      : undefined;
    return {
      namespaces: new Set(names.length || nsSelector ? names : [pod.metadata.namespace ?? ""]),
      ...(nsSelector ? { namespaceSelector: nsSelector } : {}),
      ...(isJsonObject(t.labelSelector) ? { selector: t.labelSelector as LabelSelectorObject } : {}),
      topologyKey: typeof t.topologyKey === "string" ? t.topologyKey : "",
    };
  });
}

/** PodMatchesTermsNamespaceAndSelector. */
function termMatches(
  term: Term,
  pod: KubeObject,
  namespaceLabels: (ns: string) => Record<string, string>,
): boolean {
  const ns = pod.metadata.namespace ?? "";
  const inNamespace =
    term.namespaces.has(ns) ||
    (term.namespaceSelector !== undefined && matchesSelector(term.namespaceSelector, namespaceLabels(ns)));
  return inNamespace && term.selector !== undefined && matchesSelector(term.selector, labelsOf(pod));
}

const pairKey = (key: string, value: string) => `${key}\u0000${value}`;

/**
 * Why `pod` may not go to a node with `nodeLabels` beside the `placed` pods (undefined: it may),
 * in the order the plugin checks: the pod's affinity, its anti-affinity, the others' anti-affinity.
 */
export function affinityRefusal(
  pod: KubeObject,
  nodeLabels: Record<string, string>,
  placed: PlacedPod[],
  namespaceLabels: (ns: string) => Record<string, string>,
): string | undefined {
  const affinity = requiredTerms(pod, "podAffinity");
  if (affinity.length) {
    const counts = new Set<string>();
    for (const p of placed)
      if (affinity.every((t) => termMatches(t, p.pod, namespaceLabels)))
        for (const t of affinity)
          if (Object.hasOwn(p.nodeLabels, t.topologyKey))
            counts.add(pairKey(t.topologyKey, p.nodeLabels[t.topologyKey]!));
    if (affinity.some((t) => !Object.hasOwn(nodeLabels, t.topologyKey))) return AffinityReasons.affinity;
    const found = affinity.every((t) => counts.has(pairKey(t.topologyKey, nodeLabels[t.topologyKey]!)));
    // The first pod of a series with affinity to itself may go where nothing matches yet.
    const first = counts.size === 0 && affinity.every((t) => termMatches(t, pod, namespaceLabels));
    if (!found && !first) return AffinityReasons.affinity;
  }
  const anti = requiredTerms(pod, "podAntiAffinity");
  for (const t of anti) {
    if (!Object.hasOwn(nodeLabels, t.topologyKey)) continue;
    const value = nodeLabels[t.topologyKey];
    if (placed.some((p) => p.nodeLabels[t.topologyKey] === value && termMatches(t, p.pod, namespaceLabels)))
      return AffinityReasons.antiAffinity;
  }
  for (const p of placed)
    for (const t of requiredTerms(p.pod, "podAntiAffinity")) {
      if (
        !Object.hasOwn(p.nodeLabels, t.topologyKey) ||
        nodeLabels[t.topologyKey] !== p.nodeLabels[t.topologyKey]
      )
        continue;
      if (termMatches(t, pod, namespaceLabels)) return AffinityReasons.existingAntiAffinity;
    }
  return undefined;
}
