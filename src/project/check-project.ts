import { parsePublish } from "../docker/published-ports.js";
import { isCidr, isHostName } from "../contract/sidecar-config.js";
import { findCycle } from "./dependency-order.js";
import type { FieldPath } from "./file-locator.js";
import type { Project } from "./model.js";

/** Checks across services that the schema cannot make; `fail` names the place and throws. */
export function checkProject(project: Project, fail: (path: FieldPath, message: string) => never): void {
  const names = new Set(project.services.map((s) => s.name));
  const lower = new Map<string, string>();
  for (const s of project.services) {
    const other = lower.get(s.name.toLowerCase());
    if (other) fail(["services", s.name], `has the same DNS name as service ${other}`);
    lower.set(s.name.toLowerCase(), s.name);
    s.dependsOn.forEach((d) => {
      if (!names.has(d.service))
        fail(
          ["services", s.name, "depends_on"],
          `unknown service "${d.service}" (services: ${[...names].join(", ")})`,
        );
    });
  }
  const cycle = findCycle(project.services);
  if (cycle) fail(["services", cycle[0] as string, "depends_on"], `dependency cycle: ${cycle.join(" -> ")}`);

  // Two services may not take over, or create, the same Deployment.
  const claimed = new Map<string, { service: string; how: string }>();
  for (const s of project.services) {
    const w = s.tp?.workload;
    // Intercepts share a workload (each with its own filter: the cluster checks that).
    if (!w || w.kind === "temporary" || w.kind === "existing" || w.kind === "intercept") continue;
    const ns = s.tp?.namespace ?? project.tp.namespace ?? "";
    const what = w.kind === "swap" && w.type ? `${w.type}/${w.name}` : w.name;
    const key = `${ns}/${what}`;
    const field = w.kind === "swap" ? "swap-deployment" : "new-deployment";
    const how = w.kind === "swap" ? "swaps" : "creates";
    const before = claimed.get(key);
    if (before)
      fail(
        ["services", s.name, "x-tp", field],
        `${w.kind === "swap" && w.type ? "workload" : "deployment"} "${what}" is already ${before.how === "swaps" ? "swapped" : "created"} by service ${before.service}`,
      );
    claimed.set(key, { service: s.name, how });
  }

  const published = new Map<string, string>();
  for (const s of project.services) {
    s.ports.forEach((p, i) => {
      for (const b of parsePublish(p)) {
        if (!/^\d+$/.test(b.hostPort)) continue;
        const key = `${b.hostIp || "0.0.0.0"}:${b.hostPort}/${b.protocol}`;
        const before = published.get(key);
        if (before)
          fail(
            ["services", s.name, "ports", i],
            `host port ${b.hostPort} is already published by service ${before}`,
          );
        published.set(key, s.name);
      }
    });
  }

  project.tp.alsoProxy.forEach((d, i) => {
    if (!isCidr(d) && !isHostName(d))
      fail(["x-tp", "also-proxy", i], `"${d}" is not a host name, IPv4 address or CIDR`);
  });
  project.tp.neverProxy.forEach((d, i) => {
    if (!isCidr(d)) fail(["x-tp", "never-proxy", i], `"${d}" is not an IPv4 address or CIDR`);
  });
}
