import { agentResourcesIn, withAgentResources } from "./agent-resources.js";
import { randomBytes } from "node:crypto";
import type { V1Pod } from "@kubernetes/client-node";
import { sessionLabels } from "../contract/cluster-labels.js";
import { TpError } from "../errors.js";
import { kubeCall, kubeGet } from "../kube/kube-call.js";
import type { Kube } from "../kube/kube.js";
import { deletePod } from "../kube/pods.js";
import { waitFor } from "../wait.js";
import {
  refusesPortSysctl,
  unprivilegedPortSysctl,
  withRestrictedContext,
  withoutPortSysctl,
} from "./pod-security.js";
import { temporaryProxyPod } from "./proxy-pod.js";
import { podFailure } from "./wait-for-pod.js";

/** The API server's version and how far this machine's clock is from its (the Date header). */
export async function apiServerClock(
  kube: Kube,
  timeoutMs: number,
  now: () => number = Date.now,
): Promise<{ version: string; skewMs: number | undefined }> {
  const sent = now();
  const info = await kubeCall("reach the API server", () => kube.version.getCodeWithHttpInfo(), 0, timeoutMs);
  const received = now();
  const date = Date.parse(info.headers["date"] ?? "");
  // The header has whole seconds: the server's time lies in [date, date + 1 s).
  const local = (sent + received) / 2;
  const skewMs = Number.isNaN(date)
    ? undefined
    : local < date
      ? local - date
      : Math.max(0, local - (date + 1000));
  return { version: info.data.gitVersion, skewMs };
}

export type PodSecurityLevel = "privileged" | "baseline" | "restricted";

/** The namespace's Pod Security labels; undefined when the namespace cannot be read. */
export async function namespacePodSecurity(
  kube: Kube,
  namespace: string,
): Promise<{ enforce: PodSecurityLevel; warn: PodSecurityLevel } | undefined> {
  const ns = await kubeGet(`get namespace ${namespace}`, () =>
    kube.core.readNamespace({ name: namespace }),
  ).catch(() => undefined);
  if (!ns) return undefined;
  const labels = ns.metadata?.labels ?? {};
  const level = (mode: string) =>
    (labels[`pod-security.kubernetes.io/${mode}`] as PodSecurityLevel | undefined) ?? "privileged";
  return { enforce: level("enforce"), warn: level("warn") };
}

/**
 * What admission says of tp's proxy pod in the namespace, by a server-side dry run (nothing is
 * created): undefined when admitted, else the server's message.
 */
export async function dryRunProxyPod(
  kube: Kube,
  namespace: string,
  agentImage: string,
): Promise<string | undefined> {
  const pod = temporaryProxyPod({ sessionId: "doctor", agentImage, info: { kind: "doctor", namespace } });
  withAgentResources(pod.spec, await agentResourcesIn(kube, namespace));
  try {
    await kubeCall("create pod (dry run)", () =>
      kube.core.createNamespacedPod({ namespace, body: pod, dryRun: "All" }),
    );
    return undefined;
  } catch (err) {
    if (refusesPortSysctl(err, pod)) {
      await kubeCall("create pod (dry run)", () =>
        kube.core.createNamespacedPod({ namespace, body: withoutPortSysctl(pod), dryRun: "All" }),
      );
      return `admitted only without the sysctl ${unprivilegedPortSysctl} (${(err as Error).message})`;
    }
    if (err instanceof TpError && err.code === "cluster-error") return err.message;
    throw err;
  }
}

export interface ImageRun {
  /** What the image said: its tp-agent version. */
  version: string;
  uid: number;
  /** Set when the pod ran only without the sysctl that opens ports below 1024. */
  sysctlRefused?: string;
}

/** A short-lived pod of the agent image: it runs `tp-agent version` as the cluster lets it. */
function imagePod(agentImage: string): V1Pod {
  const id = `doctor-${randomBytes(3).toString("hex")}`;
  return {
    metadata: { name: `tp-${id}`, labels: sessionLabels(id, "doctor") },
    spec: {
      restartPolicy: "Never",
      automountServiceAccountToken: false,
      securityContext: { sysctls: [{ name: unprivilegedPortSysctl, value: "0" }] },
      containers: [
        {
          name: "tp-agent",
          image: agentImage,
          imagePullPolicy: "IfNotPresent",
          command: [
            "/bin/sh",
            "-c",
            "tp-agent version >/dev/termination-log && id -u >>/dev/termination-log",
          ],
          securityContext: withRestrictedContext(undefined),
        },
      ],
    },
  };
}

async function runOnce(
  kube: Kube,
  namespace: string,
  pod: V1Pod,
  timeoutMs: number,
): Promise<ImageRun | string> {
  const name = pod.metadata?.name as string;
  await kubeCall(`create pod ${namespace}/${name}`, () =>
    kube.core.createNamespacedPod({ namespace, body: pod }),
  );
  try {
    return await waitFor(
      `pod ${namespace}/${name} to run the agent image`,
      async () => {
        const p = await kubeCall(`get pod ${namespace}/${name}`, () =>
          kube.core.readNamespacedPod({ name, namespace }),
        );
        const done = p.status?.containerStatuses?.[0]?.state?.terminated;
        if (done?.exitCode === 0) {
          const [line, uid] = (done.message ?? "").trim().split("\n");
          return { version: (line ?? "").replace(/^tp-agent /, ""), uid: Number(uid) };
        }
        const failure = podFailure(p);
        if (!failure) return undefined;
        const sysctl = p.status?.reason === "SysctlForbidden" || /sysctl/i.test(p.status?.message ?? "");
        return `${sysctl ? "sysctl: " : ""}${failure}${done?.message ? `: ${done.message.trim()}` : ""}`;
      },
      { timeoutMs, intervalMs: 200 },
    );
  } finally {
    await deletePod(kube, namespace, name).catch(() => undefined);
  }
}

/**
 * Run the agent image in the namespace as tp's pods run (restricted securityContext, the port
 * sysctl, no fixed UID). Returns what it said, or why it could not run.
 */
export async function runAgentImage(
  kube: Kube,
  namespace: string,
  agentImage: string,
  timeoutMs: number,
): Promise<ImageRun | string> {
  const resources = await agentResourcesIn(kube, namespace);
  const pod = imagePod(agentImage);
  withAgentResources(pod.spec, resources);
  let first: ImageRun | string;
  try {
    first = await runOnce(kube, namespace, pod, timeoutMs);
  } catch (err) {
    if (!refusesPortSysctl(err, pod)) throw err;
    first = `sysctl: ${(err as Error).message}`;
  }
  if (typeof first !== "string" || !first.startsWith("sysctl: ")) return first;
  const second = withoutPortSysctl(imagePod(agentImage));
  withAgentResources(second.spec, resources);
  const again = await runOnce(kube, namespace, second, timeoutMs);
  return typeof again === "string" ? again : { ...again, sysctlRefused: first.slice("sysctl: ".length) };
}
