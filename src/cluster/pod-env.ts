import { TpError } from "../errors.js";
import { version } from "../version.js";
import type { Kube } from "./kube.js";
import { execInPod } from "./pod-exec.js";
import type { RemoteEnd } from "./remote-end.js";

/** Variables of the pod that describe the agent's container rather than the user's program. */
const dropped = new Set(["HOME", "PATH", "HOSTNAME"]);

/**
 * The environment of the swapped container as the cluster resolved it (valueFrom, envFrom and the
 * service variables included), read from the agent that runs with it, and a check that the agent
 * is the same version as this CLI.
 */
export async function readPodEnv(kube: Kube, remote: RemoteEnd): Promise<Record<string, string>> {
  const result = await execInPod(
    kube,
    remote.namespace,
    remote.pod,
    remote.container,
    ["tp-agent", "env", "--with-version"],
    30_000,
  );
  let parsed: { version?: string; env?: Record<string, string> } = {};
  try {
    parsed = JSON.parse(result.stdout) as typeof parsed;
  } catch {
    // An older agent, or no agent at all: reported below.
  }
  if (parsed.version !== version || !parsed.env) {
    throw new TpError(
      "version-mismatch",
      `the agent in pod ${remote.namespace}/${remote.pod} is ${parsed.version ? `version ${parsed.version}` : "not tp-agent " + version}, this tp is ${version}`,
      {
        hint: `use the tp-agent:${version} image (--agent-image or TP_AGENT_IMAGE)${result.stderr ? `; it said: ${result.stderr.trim().slice(0, 200)}` : ""}`,
      },
    );
  }
  return Object.fromEntries(
    Object.entries(parsed.env).filter(([k]) => !dropped.has(k) && !k.startsWith("TP_AGENT_")),
  );
}
