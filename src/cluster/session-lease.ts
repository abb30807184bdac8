import type { V1Lease } from "@kubernetes/client-node";
import { hostname } from "node:os";
import { kubeCall, kubeGet } from "./kube-call.js";
import type { Kube } from "./kube.js";
import { Annotations, sessionLabels } from "./labels.js";

/** How long a session's record lives without renewal. */
export const leaseSeconds = 30;

export function leaseName(sessionId: string): string {
  return `tp-session-${sessionId}`;
}

/** Whether a session's lease is still being renewed. */
export function isLeaseLive(lease: V1Lease | undefined, now = Date.now()): boolean {
  const renew = lease?.spec?.renewTime ?? lease?.spec?.acquireTime;
  if (!renew) return false;
  const seconds = lease?.spec?.leaseDurationSeconds ?? leaseSeconds;
  return new Date(renew).getTime() + seconds * 1000 > now;
}

/**
 * The session's liveness record in the cluster: a coordination.k8s.io Lease that the CLI renews.
 * Anything that finds it expired may undo the session.
 */
export class SessionLease {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly kube: Kube,
    readonly namespace: string,
    readonly sessionId: string,
    private readonly info: Record<string, unknown>,
  ) {}

  async create(): Promise<void> {
    const now = new Date();
    await kubeCall(`create lease ${this.namespace}/${leaseName(this.sessionId)}`, () =>
      this.kube.coordination.createNamespacedLease({
        namespace: this.namespace,
        body: {
          metadata: {
            name: leaseName(this.sessionId),
            labels: sessionLabels(this.sessionId, "lease"),
            annotations: { [Annotations.sessionInfo]: JSON.stringify(this.info) },
          },
          spec: {
            holderIdentity: `${hostname()}/${process.pid}`,
            leaseDurationSeconds: leaseSeconds,
            acquireTime: now,
            renewTime: now,
          },
        },
      }),
    );
    this.timer = setInterval(() => void this.renew().catch(() => undefined), (leaseSeconds * 1000) / 3);
    this.timer.unref();
  }

  async renew(): Promise<void> {
    await kubeCall(`renew lease ${leaseName(this.sessionId)}`, () =>
      this.kube.coordination.patchNamespacedLease({
        name: leaseName(this.sessionId),
        namespace: this.namespace,
        body: [{ op: "replace", path: "/spec/renewTime", value: new Date().toISOString() }],
      }),
    );
  }

  async delete(): Promise<boolean> {
    clearInterval(this.timer);
    const gone = await kubeGet(`delete lease ${leaseName(this.sessionId)}`, () =>
      this.kube.coordination.deleteNamespacedLease({
        name: leaseName(this.sessionId),
        namespace: this.namespace,
      }),
    );
    return gone !== undefined;
  }
}
