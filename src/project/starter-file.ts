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
    portList: (ports.length ? ports : [8080]).map((p) => `"${p}:${p}"`).join(", "),
    exposeList: (ports.length ? ports : [8080]).join(", "),
    othersNote: others.length
      ? `the pod's other containers (${others.join(", ")}) stay in the cluster: reach them with to-pod`
      : "to-pod, from-pod: ports between your localhost and the pod's",
  };
  const text = fillText(readFileSync(new URL("tp.yaml", templatesDir), "utf8"), values);
  return text;
}
