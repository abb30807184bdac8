import type { V1Deployment } from "@kubernetes/client-node";
import { readFileSync } from "node:fs";
import { templatesDir } from "../cluster/templates.js";
import { chooseContainer } from "../cluster/deployments.js";

/** Fill ${key} in a template's text. */
function fillText(text: string, values: Record<string, string>): string {
  return text.replace(/\$\{(\w+)\}/g, (m, k: string) => values[k] ?? m);
}

/** A commented starter tp.yaml for a Deployment (templates/tp.yaml filled in). */
export function starterFile(deployment: V1Deployment, containerName?: string): string {
  const name = deployment.metadata?.name ?? "app";
  const namespace = deployment.metadata?.namespace ?? "default";
  const containers = deployment.spec?.template.spec?.containers ?? [];
  const container = chooseContainer(
    deployment,
    containerName ?? (containers.length === 1 ? undefined : containers[0]?.name),
  );
  const ports = (container.ports ?? [])
    .filter((p) => (p.protocol ?? "TCP") === "TCP")
    .map((p) => p.containerPort);
  const envNames = [
    ...(container.env ?? []).map((e) => e.name),
    ...(container.envFrom ?? []).map(
      (e) =>
        `(all of ${e.configMapRef ? "configmap" : "secret"} ${e.configMapRef?.name ?? e.secretRef?.name}${e.prefix ? ` as ${e.prefix}*` : ""})`,
    ),
  ];
  const others = containers.filter((c) => c.name !== container.name).map((c) => c.name);
  const values = {
    deployment: name,
    namespace,
    service: name,
    container: container.name,
    image: container.image ?? "my-image:dev",
    envNames: envNames.length ? envNames.join(", ") : "nothing",
    ports: ports.length
      ? `    # ports: [${ports.map((p) => `"${p}:${p}"`).join(", ")}]   # publish on this machine's ports too`
      : `    # ports: ["8080:8080"]           # publish on this machine's ports`,
    expose: ports.length
      ? `      # expose: [${ports.join(", ")}]   # the pod's ports arrive here (${ports.join(", ")} already do: they are the container's)`
      : `      # expose: [8080]                # connections to the pod's port 8080 arrive here`,
    others: others.length
      ? `      # the pod's other containers (${others.join(", ")}) stay in the cluster: reach them with to-pod`
      : "",
  };
  const text = fillText(readFileSync(new URL("tp.yaml", templatesDir), "utf8"), values);
  return text.replace(/\n{3,}/g, "\n\n");
}
