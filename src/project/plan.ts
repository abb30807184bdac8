import { UsageError } from "../errors.js";
import { dependencyOrder, withDependencies } from "./dependency-order.js";
import type { Project, ProjectService } from "./model.js";

export interface Selection {
  /** SERVICE arguments: these and what they depend on (none: every enabled service). */
  services: string[];
  /** Active profiles (--profile, COMPOSE_PROFILES). */
  profiles: string[];
}

/** What `tp up` will start, in order. */
export interface ProjectPlan {
  project: Project;
  services: ProjectService[];
  network: string;
}

export function networkName(project: Project): string {
  return `tp-${project.name}`;
}

export function containerName(project: Project, service: string): string {
  return `tp-${project.name}-${service.toLowerCase()}`;
}

export function planUp(project: Project, selection: Selection): ProjectPlan {
  const names = project.services.map((s) => s.name);
  for (const n of selection.services)
    if (!names.includes(n)) throw new UsageError(`no such service: ${n} (services: ${names.join(", ")})`);
  const enabled = selection.services.length
    ? selection.services
    : project.services
        .filter((s) => s.profiles.length === 0 || s.profiles.some((p) => selection.profiles.includes(p)))
        .map((s) => s.name);
  if (enabled.length === 0)
    throw new UsageError("no service to start (all of them are in inactive profiles)");
  return {
    project,
    services: dependencyOrder(withDependencies(project.services, enabled)),
    network: networkName(project),
  };
}

/** What a service is, in a few words: "swap deployment web (container web)". */
export function describeService(s: ProjectService): string {
  const w = s.tp?.workload;
  if (!w) return "local container";
  switch (w.kind) {
    case "swap":
      return `swap deployment ${w.name}${w.container ? ` (container ${w.container})` : ""}`;
    case "intercept":
      return `intercept ${w.type ? `${w.type}/` : ""}${w.name}${w.container ? ` (container ${w.container})` : ""}${w.service ? ` through service ${w.service}` : ""}`;
    case "new":
      return `new deployment ${w.name}`;
    case "existing":
      return `proxy of deployment ${w.name}`;
    case "temporary":
      return "cluster networking";
  }
}

/** The plan as lines for --dry-run. */
export function describePlan(plan: ProjectPlan, defaults: { namespace: string; context?: string }): string[] {
  const { project } = plan;
  const lines = [
    `project ${project.name} (${project.file})`,
    `network ${plan.network}${project.tp.subnet ? ` ${project.tp.subnet}` : ""}: local services reach each other by service name`,
  ];
  plan.services.forEach((s, i) => {
    const parts = [`${i + 1}. ${s.name}: ${describeService(s)}`];
    if (s.tp) parts.push(`in namespace ${s.tp.namespace ?? project.tp.namespace ?? defaults.namespace}`);
    parts.push(`image ${s.image}${s.build ? ` (built from ${s.build.context})` : ""}`);
    if (s.tp?.expose.length)
      parts.push(
        `expose ${s.tp.expose.map((e) => `${e.localPort}:${e.remotePort}${e.protocol === "udp" ? "/udp" : ""}`).join(",")}`,
      );
    if (s.ports.length) parts.push(`ports ${s.ports.join(",")}`);
    if (s.dependsOn.length)
      parts.push(
        `after ${s.dependsOn.map((d) => `${d.service} (${d.condition.replace("service_", "")})`).join(", ")}`,
      );
    lines.push(parts.join(", "));
  });
  const context = project.tp.context ?? defaults.context;
  if (plan.services.some((s) => s.tp))
    lines.push(`cluster: ${context ? `context ${context}` : "the current kube context"}`);
  return lines;
}
