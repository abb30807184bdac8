import { existsSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { readDeployment } from "../cluster/deployments.js";
import { kubeCall } from "../kube/kube-call.js";
import type { Kube } from "../kube/kube.js";
import { parseWorkload } from "../cluster/workloads.js";
import { TpError, UsageError } from "../errors.js";
import { starterFile } from "./starter-file.js";

/**
 * tp init [DEPLOYMENT[:CONTAINER]]: read the Deployment (the only one in the namespace when none
 * is named) and write a starter project file. Returns where it went ("-": stdout).
 */
export async function projectInit(
  kube: Kube,
  options: { deployment?: string; file: string; force: boolean },
): Promise<string> {
  let target = options.deployment ? parseWorkload(options.deployment) : undefined;
  const namespace = kube.namespace;
  if (!target) {
    const list = await kubeCall(`list deployments in ${namespace}`, () =>
      kube.apps.listNamespacedDeployment({ namespace }),
    );
    const names = list.items.map((d) => d.metadata?.name ?? "").filter(Boolean);
    if (names.length !== 1)
      throw new UsageError(
        names.length
          ? `say which deployment: tp init NAME (deployments in ${namespace}: ${names.join(", ")})`
          : `namespace ${namespace} has no deployments`,
      );
    target = { name: names[0] as string };
  }
  const deployment = await readDeployment(kube, namespace, target.name);
  const text = starterFile(deployment, target.container);
  if (options.file === "-") {
    process.stdout.write(text);
    return "-";
  }
  const file = resolve(options.file);
  if (existsSync(file) && !options.force)
    throw new TpError("conflict", `${options.file} already exists`, {
      hint: "pass --force to overwrite it, or -f OTHER",
    });
  writeFileSync(file, text);
  return file;
}
