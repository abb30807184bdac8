import { podIpEnv, routerRegistrationEnv } from "../contract/router-control.js";
import { TpError } from "../errors.js";
import { Paths } from "../contract/tunnel-protocol.js";
import { agentInfo, type AgentInfo } from "../contract/tunnel-answers.js";
import { agentImageFix, version } from "../version.js";
import type { Kube } from "../kube/kube.js";
import { execInPod } from "../kube/pod-exec.js";
import { openAgentSession, type AgentSession } from "../kube/agent-session.js";
import { pause } from "../wait.js";
import type { RemoteEnd } from "../kube/remote-end.js";

/**
 * Variables of the agent's process that describe its container rather than the pod's env: what
 * its image and the runtime set (HOME, PATH, HOSTNAME), what the shell that launches it adds, and
 * the agent's own (an intercept's proxy has its registration and pod IP).
 */
const dropped = new Set([
  "HOME",
  "PATH",
  "HOSTNAME",
  "PWD",
  "OLDPWD",
  "SHLVL",
  "_",
  routerRegistrationEnv,
  podIpEnv,
]);

/** An environment without the variables of the agent's own container (see `dropped`). */
export function userVariables(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter(([k]) => !dropped.has(k) && !k.startsWith("TP_AGENT_")),
  );
}

/**
 * What the agent says about itself; an answer of another shape is from something that is not
 * this version's agent, which the caller then names (as for an answer without a version).
 */
function readAgentInfo(text: string): AgentInfo {
  const result = agentInfo.safeParse(JSON.parse(text));
  return result.success ? result.data : {};
}

/** How long the tunnel may stay silent before the CLI also asks by exec (which explains why). */
const execAfterMs = 3_000;

/** How long one attempt may take: the agent answers at once once it listens. */
const attemptMs = 1_500;

/** One GET /env over a port-forward of its own, at the agent's tunnel port; the session stays open. */
async function infoOverTunnel(
  kube: Kube,
  remote: RemoteEnd,
  giveUp?: Promise<unknown>,
): Promise<AgentInfo & { session: AgentSession }> {
  let timer: NodeJS.Timeout | undefined;
  // An attempt that stalls (a port-forward that opens but never carries a byte) is given up;
  // so is one made before the agent was known to listen and still silent a moment after.
  let abandoned = false;
  const stalled = new Promise<never>((_, reject) => {
    const abandon = (why: string) => {
      abandoned = true;
      reject(new Error(why));
    };
    timer = setTimeout(() => abandon(`no answer within ${attemptMs} ms`), attemptMs);
    giveUp?.then(
      () => abandon("no answer, though the agent listens by now"),
      () => undefined,
    );
  });
  const asking = (async () => {
    const agent = await openAgentSession(kube, remote);
    try {
      if (abandoned) throw new Error("given up");
      const body = await agent.client
        .exchange("GET", Paths.env, undefined, { session: agent.session, timeoutMs: attemptMs })
        .catch((err: unknown) => {
          // Something answers, but not this agent's protocol: an older agent, or no agent.
          if ((err as { status?: number }).status === 404) return Buffer.from("{}");
          throw err;
        });
      if (abandoned) throw new Error("given up");
      return { ...readAgentInfo(body.toString("utf8")), session: agent };
    } catch (err) {
      agent.close();
      throw err;
    }
  })();
  asking.catch(() => undefined);
  try {
    return await Promise.race([asking, stalled]);
  } finally {
    clearTimeout(timer);
  }
}

/** Ask over the tunnel until the agent answers (it may still be starting), until aborted. */
async function pollOverTunnel(
  kube: Kube,
  remote: RemoteEnd,
  deadline: number,
  signal: AbortSignal,
): Promise<AgentInfo & { session?: AgentSession }> {
  let listens = false;
  remote.listening?.then(
    () => (listens = true),
    () => undefined,
  );
  for (;;) {
    try {
      return await infoOverTunnel(
        kube,
        remote,
        listens ? undefined : remote.listening?.then(() => pause(500)),
      );
    } catch (err) {
      if (signal.aborted || Date.now() + 100 > deadline) throw err;
      // The next attempt at once when the pod says its agent listens (Ready).
      await pause(listens ? 50 : 100, listens ? undefined : remote.listening);
    }
  }
}

/** `tp-agent env --with-version` in the pod: slower, but it tells what runs there when no agent answers. */
async function infoByExec(
  kube: Kube,
  remote: RemoteEnd,
  timeoutMs: number,
): Promise<AgentInfo & { stderr: string }> {
  const result = await execInPod(
    kube,
    remote.namespace,
    remote.pod,
    remote.container,
    ["tp-agent", "env", "--with-version"],
    timeoutMs,
  );
  try {
    return { ...readAgentInfo(result.stdout), stderr: result.stderr };
  } catch {
    // No agent, or not a tp one: reported by the caller.
    return { stderr: result.stderr || result.stdout };
  }
}

/**
 * The environment of the swapped container as the cluster resolved it (valueFrom, envFrom and the
 * service variables included), as the agent that runs with it sees it, and a check that the agent
 * is the same version as this CLI. The agent is asked over its tunnel port (one port-forward, no
 * process started in the pod); when it stays silent for a few seconds, an exec asks as well, so
 * that a pod that runs no agent, or another version of it, is named clearly. Returns the env and
 * the open session it came by (when it came over the tunnel port): the caller closes it.
 */
export async function readPodEnv(
  kube: Kube,
  remote: RemoteEnd,
  timeoutMs = 30_000,
): Promise<{ env: Record<string, string>; session?: AgentSession }> {
  const deadline = Date.now() + timeoutMs;
  const stop = new AbortController();
  let stderr = "";
  const viaTunnel = pollOverTunnel(kube, remote, deadline, stop.signal);
  const viaExec = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, execAfterMs);
    stop.signal.addEventListener("abort", () => clearTimeout(timer));
  }).then(async () => {
    if (stop.signal.aborted) throw new Error("answered over the tunnel");
    const info = await infoByExec(kube, remote, Math.max(1_000, deadline - Date.now()));
    stderr = info.stderr;
    return info;
  });
  let info: AgentInfo & { session?: AgentSession };
  try {
    info = await Promise.any([viaTunnel, viaExec]);
  } catch (err) {
    const reasons = (err as AggregateError).errors ?? [err];
    throw reasons.find((e: unknown) => e instanceof TpError) ?? reasons[0];
  } finally {
    stop.abort();
    viaExec.catch(() => undefined);
  }
  // An answer over the tunnel that comes after the exec's: its session is not used.
  if (!info.session)
    viaTunnel.then(
      (late) => late.session?.close(),
      () => undefined,
    );
  if (info.version !== version || !info.env) {
    info.session?.close();
    throw new TpError(
      "version-mismatch",
      `the agent in pod ${remote.namespace}/${remote.pod} is ${info.version ? `version ${info.version}` : "not tp-agent " + version}, this tp is ${version}`,
      {
        hint: `build and use this version's image: ${agentImageFix}${stderr ? `; it said: ${stderr.trim().slice(0, 200)}` : ""}`,
      },
    );
  }
  return { env: userVariables(info.env), session: info.session };
}
