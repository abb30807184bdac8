import type Dockerode from "dockerode";
import { missingRights, rightName, type Right } from "../cluster/access-review.js";
import {
  apiServerClock,
  dryRunProxyPod,
  namespacePodSecurity,
  runAgentImage,
} from "../cluster/cluster-checks.js";
import { lowPortsHint, unprivilegedPortSysctl } from "../cluster/pod-security.js";
import { agentResourcesIn, namespaceLimits } from "../cluster/agent-resources.js";
import { dockerEngineVersion } from "../docker/engine.js";
import { TpError } from "../errors.js";
import type { Kube } from "../kube/kube.js";
import { version as tpVersion } from "../version.js";

export type CheckStatus = "ok" | "warn" | "fail" | "skipped";

export interface DoctorCheck {
  name: "docker" | "cluster" | "rights" | "pod-security" | "quota" | "agent-image" | "clock";
  status: CheckStatus;
  message: string;
  /** For rights: each missing right and what it disables. */
  missing?: { right: string; for: string; required: boolean }[];
}

export interface DoctorReport {
  /** A session can run. */
  ok: boolean;
  namespace: string;
  checks: DoctorCheck[];
}

export interface DoctorOptions {
  agentImage: string;
  /** Skip the short-lived pod that runs the agent image. */
  skipImage?: boolean;
  /** How long the cluster may take to answer at all. */
  reachTimeoutMs?: number;
  imageTimeoutMs?: number;
  now?: () => number;
}

/** Beyond this the lease (renewed every 5 s, undone after 30 s) may be judged wrongly. */
const clockWarnMs = 5_000;
const clockFailMs = 20_000;

async function dockerCheck(docker: Dockerode): Promise<DoctorCheck> {
  try {
    return {
      name: "docker",
      status: "ok",
      message: `Docker engine ${await dockerEngineVersion(docker)} answers`,
    };
  } catch (err) {
    return { name: "docker", status: "fail", message: (err as Error).message };
  }
}

function rightsCheck(namespace: string, missing: Right[]): DoctorCheck {
  const list = missing.map((r) => ({ right: rightName(r), for: r.for, required: r.required }));
  if (!missing.length)
    return { name: "rights", status: "ok", message: `every right tp uses in namespace ${namespace}` };
  const off = [...new Set(missing.map((r) => r.for))];
  const required = missing.some((r) => r.required);
  return {
    name: "rights",
    status: required ? "fail" : "warn",
    message: `missing in namespace ${namespace}: ${list.map((m) => m.right).join(", ")}; ${required ? "no session can run" : "off"}: ${off.join("; ")}`,
    missing: list,
  };
}

async function podSecurityCheck(kube: Kube, namespace: string, agentImage: string): Promise<DoctorCheck> {
  const [levels, refusal] = await Promise.all([
    namespacePodSecurity(kube, namespace),
    dryRunProxyPod(kube, namespace, agentImage),
  ]);
  const level = levels ? `enforces ${levels.enforce}` : "cannot be read (its level is unknown)";
  if (refusal?.startsWith("admitted only without"))
    return {
      name: "pod-security",
      status: "warn",
      message: `namespace ${namespace} ${level}; tp's proxy pod is ${refusal}: ${lowPortsHint}`,
    };
  if (refusal)
    return {
      name: "pod-security",
      status: "fail",
      message: `namespace ${namespace} ${level}; tp's proxy pod is refused: ${refusal}`,
    };
  const swapNote =
    levels && levels.enforce !== "privileged"
      ? "; a swapped container's own securityContext must meet it too"
      : "";
  return {
    name: "pod-security",
    status: "ok",
    message: `namespace ${namespace} ${level}; tp's pods are admitted (server dry run)${swapNote}`,
  };
}

/** The pods a session adds to the namespace: the warden and the proxy (an intercept: its router too). */
const sessionPods = 2;

async function quotaCheck(kube: Kube, namespace: string): Promise<DoctorCheck> {
  const { quotas } = await namespaceLimits(kube, namespace);
  if (!Array.isArray(quotas))
    return {
      name: "quota",
      status: "warn",
      message: `the namespace's ResourceQuotas cannot be read: ${quotas.error}`,
    };
  if (!quotas.length)
    return { name: "quota", status: "ok", message: `no ResourceQuota in namespace ${namespace}` };
  const resources = await agentResourcesIn(kube, namespace);
  const stated = resources
    ? `tp's pods state ${Object.entries(resources)
        .map(
          ([side, list]) =>
            `${side} ${Object.entries(list as Record<string, string>)
              .map(([k, v]) => `${k}=${v}`)
              .join(",")}`,
        )
        .join(", ")}`
    : "no quota asks tp's pods to state resources";
  const full = quotas.flatMap((q) => {
    const hard = Number(q.status?.hard?.["pods"] ?? q.spec?.hard?.["pods"]);
    const used = Number(q.status?.used?.["pods"] ?? 0);
    const room = hard - used;
    return Number.isFinite(room) && room < sessionPods
      ? [`quota ${q.metadata?.name} has room for ${Math.max(room, 0)} more pod${room === 1 ? "" : "s"}`]
      : [];
  });
  const names = quotas.map((q) => q.metadata?.name).join(", ");
  if (full.length)
    return {
      name: "quota",
      status: "warn",
      message:
        `${full.join("; ")}: a session adds ${sessionPods} (the warden and the proxy; an intercept's router a third), ` +
        `so a swap stops the workload's pods before its proxy starts, and other sessions are refused; ${stated}`,
    };
  return {
    name: "quota",
    status: "ok",
    message: `ResourceQuota ${names} leaves room for a session; ${stated}`,
  };
}

async function imageCheck(kube: Kube, namespace: string, options: DoctorOptions): Promise<DoctorCheck> {
  const image = options.agentImage;
  if (options.skipImage) return { name: "agent-image", status: "skipped", message: `${image} not tried` };
  const run = await runAgentImage(kube, namespace, image, options.imageTimeoutMs ?? 30_000).catch(
    (err: Error) => err.message,
  );
  if (typeof run === "string")
    return {
      name: "agent-image",
      status: "fail",
      message: `${image} does not run in namespace ${namespace}: ${run}`,
    };
  if (run.version !== tpVersion)
    return {
      name: "agent-image",
      status: "fail",
      message: `${image} runs tp-agent ${run.version}, tp is ${tpVersion}: use an image of this version (--agent-image)`,
    };
  const ran = `${image} runs in namespace ${namespace} (UID ${run.uid})`;
  if (run.sysctlRefused)
    return {
      name: "agent-image",
      status: "warn",
      message: `${ran}, but not with the sysctl ${unprivilegedPortSysctl} (${run.sysctlRefused}): ${lowPortsHint}`,
    };
  return { name: "agent-image", status: "ok", message: ran };
}

function clockCheck(skewMs: number | undefined): DoctorCheck {
  if (skewMs === undefined)
    return {
      name: "clock",
      status: "warn",
      message: "the API server sent no Date header; clock skew unknown",
    };
  const s = Math.abs(skewMs) / 1000;
  const direction = skewMs > 0 ? "ahead of" : "behind";
  const text =
    s < 1
      ? "this machine's clock is within 1 s of the API server's"
      : `this machine's clock is ${s.toFixed(0)} s ${direction} the API server's`;
  const status = Math.abs(skewMs) >= clockFailMs ? "fail" : Math.abs(skewMs) >= clockWarnMs ? "warn" : "ok";
  return {
    name: "clock",
    status,
    message:
      status === "ok"
        ? text
        : `${text}: the session's lease (30 s) may be judged expired or alive wrongly; sync the clock (NTP)`,
  };
}

/**
 * What `tp doctor` checks, changing nothing that stays: the Docker engine, the cluster and its
 * clock, the rights tp uses, Pod Security in the namespace, and a short-lived pod of the agent
 * image. Throws a TpError (one line) when the cluster cannot be reached.
 */
export async function runDoctor(
  kube: Kube,
  docker: Dockerode,
  options: DoctorOptions,
): Promise<DoctorReport> {
  const namespace = kube.namespace;
  const server = kube.config.getCurrentCluster()?.server ?? "?";
  const [dockerResult, clock] = await Promise.all([
    dockerCheck(docker),
    apiServerClock(kube, options.reachTimeoutMs ?? 5_000, options.now).catch((err: unknown) => {
      const why = (err instanceof Error ? err.message : String(err)).replace(/^reach the API server: /, "");
      const code = /^cannot reach the cluster (\(.*\))$/.exec(why)?.[1];
      throw new TpError(
        "cluster-unreachable",
        `cannot reach the cluster at ${server}${code ? ` ${code}` : `: ${why}`}`,
      );
    }),
  ]);
  const cluster: DoctorCheck = {
    name: "cluster",
    status: "ok",
    message: `context ${kube.config.getCurrentContext()}, ${server}, Kubernetes ${clock.version}`,
  };
  const [rights, podSecurity, quota, image] = await Promise.all([
    missingRights(kube, namespace).then((m) => rightsCheck(namespace, m)),
    podSecurityCheck(kube, namespace, options.agentImage),
    quotaCheck(kube, namespace),
    imageCheck(kube, namespace, options),
  ]);
  const checks = [dockerResult, cluster, rights, podSecurity, quota, image, clockCheck(clock.skewMs)];
  return { ok: checks.every((c) => c.status !== "fail"), namespace, checks };
}
