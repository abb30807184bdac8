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
  const run = (cmd: string[]) => execInPod(kube, remote.namespace, remote.pod, remote.container, cmd);
  const [agentVersion, env] = await Promise.all([run(["tp-agent", "version"]), run(["tp-agent", "env"])]);
  const reported = /tp-agent (\S+)/.exec(agentVersion.stdout)?.[1];
  if (reported !== version) {
    throw new TpError(
      "version-mismatch",
      `the agent in pod ${remote.namespace}/${remote.pod} is version ${reported ?? "unknown"}, this tp is ${version}`,
      {
        hint: `use the tp-agent:${version} image (--agent-image or TP_AGENT_IMAGE)`,
      },
    );
  }
  if (env.exitCode !== 0)
    throw new TpError("cluster-error", `reading the pod's environment failed: ${env.stderr.trim()}`);
  const all = JSON.parse(env.stdout) as Record<string, string>;
  return Object.fromEntries(
    Object.entries(all).filter(([k]) => !dropped.has(k) && !k.startsWith("TP_AGENT_")),
  );
}
