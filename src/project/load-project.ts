import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import type { z } from "zod";
import { isMap } from "yaml";
import { checkProject } from "./check-project.js";
import { parseEnvFile } from "./env-file.js";
import { FileLocator, type FieldPath } from "./file-locator.js";
import { interpolate, InterpolationError } from "./interpolate.js";
import type { Project, ProjectService } from "./model.js";
import { projectFileError } from "./project-file-error.js";
import { projectSchema, type ProjectFileData, type ServiceData } from "./schema.js";
import {
  environmentOf,
  healthcheckOf,
  hostPath,
  portsOf,
  volumesOf,
  words,
  type Fail,
} from "./service-fields.js";
import { tpSpecOf } from "./tp-spec.js";

export interface LoadOptions {
  /** The project file (absolute or relative to the current folder). */
  file: string;
  /** -p: overrides `name:` and the folder name. */
  projectName?: string;
  /** The environment for ${VAR} (default: .env beside the file, then process.env). */
  env?: Record<string, string | undefined>;
}

/** An image reference as docker takes one: no flag, no space. */
const imageReference = /^[A-Za-z0-9][A-Za-z0-9._\-/:@]*$/;

/** Compose's project name from a folder name: lower-case letters, digits, - and _. */
export function sanitizeProjectName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, "")
    .replace(/^[-_]+/, "");
}

/** Drop extension fields (`x-...`, except tp's own `x-tp`) from the objects Compose allows them in. */
function dropExtensions(node: unknown, depth: string[] = []): unknown {
  if (Array.isArray(node)) return node.map((n) => dropExtensions(n, depth));
  if (!node || typeof node !== "object") return node;
  const opaque = ["environment", "args", "depends_on"];
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    const atServiceNames = depth.length === 1 && depth[0] === "services";
    if (k.startsWith("x-") && k !== "x-tp" && !atServiceNames) continue;
    out[k] = opaque.includes(k) ? v : dropExtensions(v, [...depth, k]);
  }
  return out;
}

function issueMessage(issue: z.core.$ZodIssue): { path: FieldPath; key?: string; message: string } {
  const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
  if (issue.code === "unrecognized_keys") {
    const key = issue.keys[0] as string;
    return { path: [...path, key], key, message: "unknown field" };
  }
  if (issue.code === "invalid_type") {
    const m = /^Invalid input: expected (\w+), received (\w+)$/.exec(issue.message);
    if (m?.[2] === "undefined") return { path, message: "is required" };
    if (m) return { path, message: `must be a ${m[1]} (got ${m[2]})` };
  }
  if (issue.code === "invalid_key") return { path, message: "is not a valid service name" };
  return { path, message: issue.message };
}

/** Read, interpolate, validate and resolve a project file. Throws one error that names the place. */
export function loadProject(options: LoadOptions): Project {
  const file = resolve(options.file);
  const dir = dirname(file);
  const place = (path: FieldPath, key?: string) => ({ file, path, ...(key ? { key } : {}), locator });
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw projectFileError({ file, path: [] }, "cannot read the project file");
  }
  const locator = new FileLocator(text);
  const yamlError = locator.document.errors[0];
  if (yamlError) {
    const line = yamlError.linePos?.[0].line;
    throw projectFileError(
      { file, path: [] },
      `${line ? `line ${line}: ` : ""}${(yamlError.message.split("\n")[0] ?? "").replace(/ at line \d+, column \d+:?$/, "")}`,
    );
  }
  if (!isMap(locator.document.contents))
    throw projectFileError({ file, path: [] }, "must be a map with services: at the top");
  const dotEnv = join(dir, ".env");
  const env = options.env ?? {
    ...(existsSync(dotEnv) ? parseEnvFile(readFileSync(dotEnv, "utf8"), process.env) : {}),
    ...process.env,
  };
  let raw: unknown;
  try {
    raw = interpolate(dropExtensions(locator.document.toJS()), env);
  } catch (err) {
    if (err instanceof InterpolationError) throw projectFileError(place(err.path), err.message);
    throw err;
  }
  const parsed = projectSchema.safeParse(raw);
  if (!parsed.success) {
    // Checks across fields (custom) come after the fields themselves are right.
    const found = parsed.error.issues.map((i) => ({ ...issueMessage(i), late: i.code === "custom" ? 1 : 0 }));
    const lineOf = (i: { path: FieldPath; key?: string }) =>
      locator.line(i.key ? i.path.slice(0, -1) : i.path, i.key) ?? 0;
    const first = found.sort((a, b) => a.late - b.late || lineOf(a) - lineOf(b))[0] as (typeof found)[number];
    throw projectFileError(
      { ...place(first.key ? first.path.slice(0, -1) : first.path, first.key), path: first.path },
      first.message,
    );
  }
  const data: ProjectFileData = parsed.data;
  const name = options.projectName ?? data.name ?? sanitizeProjectName(basename(dir));
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(name))
    throw projectFileError(
      { file, path: [] },
      `"${name}" is not a valid project name (use -p NAME or name:)`,
    );
  const services = Object.entries(data.services).map(([serviceName, s]) => {
    const fail: Fail = (path, message, key) => {
      const full = ["services", serviceName, ...path];
      throw projectFileError(place(full, key), message);
    };
    return resolveService(serviceName, s, name, dir, env, fail);
  });
  const top = data["x-tp"] ?? {};
  const project: Project = {
    name,
    file,
    dir,
    services,
    tp: {
      ...(top.context ? { context: top.context } : {}),
      ...(top.namespace ? { namespace: top.namespace } : {}),
      alsoProxy: top["also-proxy"] ?? [],
      neverProxy: top["never-proxy"] ?? [],
      ...(top.subnet ? { subnet: top.subnet } : {}),
    },
  };
  checkProject(project, (path, message) => {
    throw projectFileError(place(path), message);
  });
  return project;
}

function resolveService(
  name: string,
  s: ServiceData,
  project: string,
  dir: string,
  env: Record<string, string | undefined>,
  fail: Fail,
): ProjectService {
  if (!s.image && !s.build)
    fail([], "needs image or build (tp never pulls: the image must exist locally or be built)");
  // It goes on docker's command line: something that starts with "-" would be read as a flag.
  if (s.image !== undefined && !imageReference.test(s.image))
    fail(["image"], `"${s.image}" is not an image reference ([REGISTRY/]NAME[:TAG][@DIGEST])`);
  const build =
    s.build === undefined
      ? undefined
      : typeof s.build === "string"
        ? { context: hostPath(s.build, dir), args: {} }
        : {
            context: hostPath(s.build.context ?? ".", dir),
            ...(s.build.dockerfile ? { dockerfile: s.build.dockerfile } : {}),
            args: Object.fromEntries(
              Object.entries(
                Array.isArray(s.build.args)
                  ? Object.fromEntries(
                      s.build.args.map((a) => [a.split("=")[0], a.split("=").slice(1).join("=")]),
                    )
                  : (s.build.args ?? {}),
              ).map(([k, v]) => [k, String(v ?? env[k] ?? "")]),
            ),
            ...(s.build.target ? { target: s.build.target } : {}),
          };
  const dependsOn = Array.isArray(s.depends_on)
    ? s.depends_on.map((d) => ({ service: d, condition: "service_started" as const }))
    : Object.entries(s.depends_on ?? {}).map(([d, v]) => ({
        service: d,
        condition: v.condition ?? "service_started",
      }));
  const command = words(s.command, "command", fail);
  const entrypoint = words(s.entrypoint, "entrypoint", fail);
  const healthcheck = healthcheckOf(s, fail);
  return {
    name,
    image: s.image ?? `${project}-${name.toLowerCase()}`,
    ...(build ? { build } : {}),
    ...(command ? { command } : {}),
    ...(entrypoint ? { entrypoint } : {}),
    environment: environmentOf(s, dir, env, fail),
    volumes: volumesOf(s, dir, fail),
    ports: portsOf(s, fail),
    ...(s.working_dir ? { workingDir: s.working_dir } : {}),
    ...(s.user !== undefined ? { user: String(s.user) } : {}),
    dependsOn,
    ...(healthcheck ? { healthcheck } : {}),
    profiles: s.profiles ?? [],
    ...(s["x-tp"] ? { tp: tpSpecOf(s["x-tp"], dir, fail) } : {}),
  };
}
