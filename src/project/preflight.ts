import { readFileSync } from "node:fs";
import { checkSwappable } from "../cluster/swap.js";
import { checkInterceptable } from "../cluster/intercept.js";
import { findWorkload } from "../cluster/workloads.js";
import { kubeCall, kubeGet } from "../kube/kube-call.js";
import type { Kube } from "../kube/kube.js";
import type { LocalEngine } from "../docker/local-engine.js";
import { isTpError, TpError } from "../errors.js";
import { FileLocator, type FieldPath } from "./file-locator.js";
import type { Project, ProjectService } from "./model.js";
import { projectFileError } from "./project-file-error.js";

function placeError(project: Project, path: FieldPath, message: string, hint?: string): TpError {
  const locator = new FileLocator(readFileSync(project.file, "utf8"));
  return projectFileError({ file: project.file, path, locator }, message, hint);
}

/**
 * Every image must exist locally or be built (tp never pulls). Returns the services to build:
 * those with `build` whose image is missing, or all with `build` when asked to.
 */
export async function checkImages(
  engine: LocalEngine,
  project: Project,
  services: ProjectService[],
  options: { build: boolean; agentImage?: string },
): Promise<ProjectService[]> {
  const toBuild: ProjectService[] = [];
  for (const s of services) {
    const exists = await engine.imageExists(s.image);
    if (s.build && (options.build || !exists)) toBuild.push(s);
    else if (!exists)
      throw placeError(
        project,
        ["services", s.name, "image"],
        `image ${s.image} does not exist locally (tp does not pull images)`,
        `build or pull it first, or give ${s.name} a build: section`,
      );
  }
  if (options.agentImage && services.some((s) => s.tp) && !(await engine.imageExists(options.agentImage)))
    throw new TpError("image-missing", `the agent image ${options.agentImage} does not exist locally`, {
      hint: "build it with `npm run images` (or docker build -f sidecar-image/Dockerfile)",
    });
  return toBuild;
}

/** docker build, its output passed through to stderr. */
export async function buildImage(engine: LocalEngine, s: ProjectService): Promise<void> {
  const b = s.build!;
  const argv = ["-t", s.image];
  if (b.dockerfile)
    argv.push("-f", b.dockerfile.startsWith("/") ? b.dockerfile : `${b.context}/${b.dockerfile}`);
  for (const [k, v] of Object.entries(b.args)) argv.push("--build-arg", `${k}=${v}`);
  if (b.target) argv.push("--target", b.target);
  argv.push(b.context);
  const exitCode = await engine.build(argv);
  if (exitCode !== 0)
    throw new TpError("docker-error", `service ${s.name}: docker build failed (exit code ${exitCode})`);
}

/** The Deployments that tp services swap or use exist (and new ones do not yet), before anything starts. */
export async function checkCluster(
  project: Project,
  services: ProjectService[],
  kubeFor: (namespace: string | undefined) => Kube,
): Promise<void> {
  const tpServices = services.filter((s) => s.tp);
  if (tpServices.length === 0) return;
  const first = kubeFor(undefined);
  await kubeCall("reach the cluster", () => first.version.getCode());
  for (const s of tpServices) {
    const w = s.tp!.workload;
    const kube = kubeFor(s.tp!.namespace);
    const ns = kube.namespace;
    const at = (field: string): FieldPath => ["services", s.name, "x-tp", field];
    try {
      if (w.kind === "swap") await checkSwappable(kube, ns, w);
      if (w.kind === "intercept") await checkInterceptable(kube, ns, w, s.tp!.expose);
      if (w.kind === "existing") await findWorkload(kube, ns, w);
      if (w.kind === "new") {
        const found = await kubeGet(`read deployment ${ns}/${w.name}`, () =>
          kube.apps.readNamespacedDeployment({ name: w.name, namespace: ns }),
        );
        if (found) throw new TpError("conflict", `deployment "${w.name}" already exists in namespace ${ns}`);
      }
    } catch (err) {
      if (!isTpError(err) || err.code === "cluster-unreachable") throw err;
      const field =
        w.kind === "swap"
          ? "swap-deployment"
          : w.kind === "new"
            ? "new-deployment"
            : w.kind === "intercept"
              ? "intercept"
              : "deployment";
      throw placeError(project, at(field), err.message, err.hint);
    }
  }
}
