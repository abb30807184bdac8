import type { V1Lease } from "@kubernetes/client-node";
import { hostname } from "node:os";
import { NotFoundError, TpError } from "../errors.js";
import { kubeCall, kubeCreate, kubeGet, madeBySession } from "../kube/kube-call.js";
import type { Kube } from "../kube/kube.js";
import { systemClock, type Clock } from "../clock.js";
import { Annotations, sessionLabels } from "../contract/cluster-labels.js";
import type { SessionInfo } from "../contract/session-info.js";

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
  /** Stops the renewal loop. */
  private readonly stopRenewing = new AbortController();
  private lastRenewed: number;
  private loseSession: ((err: TpError) => void) | undefined;
  /** The lease's uid once created: the warden's objects are owned by it. */
  uid = "";
  /** Rejects when the session's record is gone or could not be renewed in time. */
  readonly lost: Promise<never>;

  constructor(
    private readonly kube: Kube,
    readonly namespace: string,
    readonly sessionId: string,
    private readonly info: SessionInfo,
    private readonly clock: Clock = systemClock,
  ) {
    this.lastRenewed = clock.now();
    this.lost = new Promise<never>((_, reject) => (this.loseSession = reject));
    this.lost.catch(() => undefined);
  }

  async create(): Promise<void> {
    const now = new Date(this.clock.now());
    const name = leaseName(this.sessionId);
    const lease = await kubeCreate(
      `create lease ${this.namespace}/${name}`,
      () =>
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
      () =>
        madeBySession(
          () => this.kube.coordination.readNamespacedLease({ name, namespace: this.namespace }),
          this.sessionId,
        ),
    );
    this.uid = lease.metadata?.uid ?? "";
    this.lastRenewed = this.clock.now();
    void this.keepRenewing();
  }

  /** Renew every sixth of the lease's duration until stopped or lost. */
  private async keepRenewing(): Promise<void> {
    const { signal } = this.stopRenewing;
    for (;;) {
      // The renewals alone do not keep tp running.
      await this.clock.sleep((leaseSeconds * 1000) / 6, { signal, unref: true });
      if (signal.aborted) return;
      await this.renewOrLose();
    }
  }

  private async renewOrLose(): Promise<void> {
    try {
      await this.renew();
      this.lastRenewed = this.clock.now();
    } catch (err) {
      if (err instanceof NotFoundError) {
        this.lose(
          "the session's record in the cluster was deleted: the cluster has undone the session",
          "cluster-error",
        );
      } else if (this.clock.now() - this.lastRenewed > leaseSeconds * 1000) {
        this.lose(
          `the session's record could not be renewed for ${leaseSeconds} s: the cluster undoes the session`,
          "cluster-unreachable",
        );
      }
    }
  }

  private lose(message: string, code: "cluster-error" | "cluster-unreachable"): void {
    this.stopRenewing.abort();
    this.loseSession?.(
      new TpError(code, message, {
        hint: "check the connection to the cluster; `tp status` shows what is left",
      }),
    );
  }

  async renew(): Promise<void> {
    await kubeCall(`renew lease ${leaseName(this.sessionId)}`, () =>
      this.kube.coordination.patchNamespacedLease({
        name: leaseName(this.sessionId),
        namespace: this.namespace,
        body: [{ op: "replace", path: "/spec/renewTime", value: new Date(this.clock.now()).toISOString() }],
      }),
    );
  }

  async delete(): Promise<boolean> {
    this.stopRenewing.abort();
    const gone = await kubeGet(`delete lease ${leaseName(this.sessionId)}`, () =>
      this.kube.coordination.deleteNamespacedLease({
        name: leaseName(this.sessionId),
        namespace: this.namespace,
      }),
    );
    return gone !== undefined;
  }
}
