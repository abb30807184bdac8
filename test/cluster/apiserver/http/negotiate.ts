import type { IncomingMessage } from "node:http";

export type Rendering = "object" | "table" | "partial";

interface MediaRange {
  type: string;
  params: Record<string, string>;
}

function parseAccept(header: string | undefined): MediaRange[] {
  if (!header) return [];
  return header.split(",").map((part) => {
    const [type, ...rest] = part.split(";").map((s) => s.trim());
    const params: Record<string, string> = {};
    for (const p of rest) {
      const [k, v] = p.split("=");
      if (k && v !== undefined) params[k.trim()] = v.trim();
    }
    return { type: (type ?? "").toLowerCase(), params };
  });
}

/** The first acceptable rendering in the client's order (Table, PartialObjectMetadata or the object). */
export function rendering(req: IncomingMessage): Rendering {
  for (const m of parseAccept(req.headers.accept)) {
    if (m.type !== "application/json" && m.type !== "*/*" && m.type !== "application/*") continue;
    const as = m.params.as;
    if (!as) return "object";
    if (m.params.g !== "meta.k8s.io") continue;
    if (as === "Table" && (m.params.v === "v1" || m.params.v === "v1beta1")) return "table";
    if ((as === "PartialObjectMetadata" || as === "PartialObjectMetadataList") && m.params.v === "v1")
      return "partial";
  }
  return "object";
}

/** Aggregated discovery (apidiscovery.k8s.io/v2) is what the client asks for first. */
export function wantsAggregatedDiscovery(req: IncomingMessage): "v2" | "v2beta1" | undefined {
  for (const m of parseAccept(req.headers.accept)) {
    if (m.type !== "application/json") continue;
    if (m.params.g === "apidiscovery.k8s.io" && m.params.as === "APIGroupDiscoveryList") {
      if (m.params.v === "v2" || m.params.v === "v2beta1") return m.params.v;
      continue;
    }
    if (!m.params.as) return undefined;
  }
  return undefined;
}
