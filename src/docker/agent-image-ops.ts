import { execa } from "execa";
import { TpError } from "../errors.js";
import { version } from "../version.js";
import { agentImageSpec } from "./agent-image.js";
import { buildRootfsImage } from "./rootfs-image.js";

/** Build the tp-agent image of this version from the package's files and this machine's Node. */
export async function buildAgentImage(tag: string, log: (line: string) => void): Promise<void> {
  if (process.platform !== "linux")
    throw new TpError(
      "image-build",
      "tp agent-image build assembles the image from this machine's Linux files",
      {
        hint: "on macOS or Windows, build from a checkout: docker build -f sidecar-image/Dockerfile .",
      },
    );
  await buildRootfsImage(agentImageSpec(tag), log);
}

async function docker(args: string[], what: string): Promise<void> {
  const r = await execa("docker", args, { reject: false, stdin: "ignore", stdout: "ignore", stderr: "pipe" });
  if (r.failed) {
    const said =
      String(r.stderr ?? "")
        .trim()
        .split("\n")
        .pop() ?? "";
    throw new TpError(
      "docker-error",
      `${what}: ${r.code === "ENOENT" ? "the docker command is not installed" : said}`,
    );
  }
}

/** REGISTRY/REPO[:TAG] with this version as the tag when none is given. */
export function withVersionTag(ref: string): string {
  const lastPart = ref.slice(ref.lastIndexOf("/") + 1);
  return lastPart.includes(":") || lastPart.includes("@") ? ref : `${ref}:${version}`;
}

/** Tag a local image as `ref` and push it with the docker CLI (and its logins). */
export async function pushImage(source: string, ref: string): Promise<void> {
  const exists = await execa("docker", ["image", "inspect", source], { reject: false, stdin: "ignore" });
  if (exists.failed)
    throw new TpError("image-missing", `image ${source} does not exist locally`, {
      hint: `build it first: tp agent-image build${source === `tp-agent:${version}` ? "" : ` --tag ${source}`}`,
    });
  await docker(["tag", source, ref], `tag ${source} as ${ref}`);
  await docker(["push", ref], `push ${ref}`);
}

/** The local Kubernetes tools that load an image into their cluster without a registry. */
export const loaders = {
  kind: {
    args: (image: string, cluster?: string) => [
      "load",
      "docker-image",
      image,
      ...(cluster ? ["--name", cluster] : []),
    ],
    install: "https://kind.sigs.k8s.io/docs/user/quick-start/#installation",
  },
  k3d: {
    args: (image: string, cluster?: string) => [
      "image",
      "import",
      image,
      ...(cluster ? ["-c", cluster] : []),
    ],
    install: "https://k3d.io/#installation",
  },
  minikube: {
    args: (image: string, cluster?: string) => ["image", "load", image, ...(cluster ? ["-p", cluster] : [])],
    install: "https://minikube.sigs.k8s.io/docs/start/",
  },
} as const;

export type Loader = keyof typeof loaders;

/** Run the tool's own load command, its output shown as it goes. */
export async function loadImage(tool: Loader, image: string, cluster?: string): Promise<void> {
  const loader = loaders[tool];
  const r = await execa(tool, loader.args(image, cluster), {
    reject: false,
    stdin: "ignore",
    stdout: "inherit",
    stderr: "inherit",
  });
  if (r.code === "ENOENT")
    throw new TpError(
      "tool-missing",
      `${tool} is not installed: install ${tool} (${loader.install}) and run this again`,
    );
  if (r.failed)
    throw new TpError(
      "docker-error",
      `${tool} ${loader.args(image, cluster).join(" ")} failed (exit ${r.exitCode})`,
    );
}
