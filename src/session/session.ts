import type Dockerode from "dockerode";
import { randomBytes } from "node:crypto";
import type { SidecarConfig } from "../contract/sidecar-config.js";
import type { Kube } from "../kube/kube.js";
import { leaseName } from "../cluster/session-lease.js";
import { wardenPlanFor, type StartedWarden } from "../cluster/warden.js";
import type { SidecarOptions } from "../docker/sidecar.js";
import type { Reporter } from "./reporter.js";
import { SessionVolumes, type VolumeRequest } from "./session-volumes.js";
import { userEnv, whenKnownAhead, type SessionAhead } from "./session-ahead.js";
import type { Interrupt } from "./interrupt.js";
import { HostForwardLink } from "./host-forward-link.js";
import { realEnds, type SessionEnds } from "./session-ends.js";
import { StartedSession, undoAll, type UndoStep } from "./started-session.js";
import { resolveWorkload, undoPlanOf, type Workload } from "./workload.js";
import { startLocal, type LocalContext, type LocalSide } from "./session-local.js";

export interface SessionRequest {
  workload: Workload;
  sidecar: Partial<SidecarConfig> & { expose: SidecarConfig["expose"] };
  autoExpose: boolean;
  agentImage: string;
  context?: string;
  /** docker run -p of the user container: published on the sidecar. */
  publish: string[];
  /** More for the sidecar container (a project network, extra hosts, labels). */
  sidecarExtra?: Pick<SidecarOptions, "network" | "extraHosts" | "labels">;
  /** Copy the pod's volumes into a session folder and keep them in step (absent: no volumes). */
  volumes?: VolumeRequest;
  /** The local side is a host process, not a container (see host-local.ts). */
  hostProcess?: boolean;
  /** Resolve the pod's env from the API while the pod starts (see Session.ahead). */
  envAhead?: boolean;
}

/** A session being set up: cluster end, warden, sidecar and tunnel. */
export class Session {
  readonly id = randomBytes(4).toString("hex");
  private aheadKnown: (ahead: SessionAhead | undefined) => void = () => undefined;
  /**
   * Resolves once the sidecar runs and the pod's env is known from the API (before the agent
   * answers), so that the user's container can be made meanwhile; undefined when the env is not
   * known ahead, or the start failed. Nothing may run in the container before start() returns.
   */
  readonly ahead = new Promise<SessionAhead | undefined>((resolve) => (this.aheadKnown = resolve));

  constructor(
    private readonly kube: Kube,
    private readonly docker: Dockerode,
    private readonly request: SessionRequest,
    private readonly progress: Reporter,
    /** The cluster and local ends (fakes in tests). */
    private readonly ends: SessionEnds = realEnds(kube, docker),
  ) {}

  /** What the local side's start needs of the session. */
  private local(): LocalContext {
    const { kube, docker, request, progress, id, ends } = this;
    return { namespace: kube.namespace, docker, request, progress, id, ends };
  }

  /** Start everything; on failure (or a signal) undo what was started and throw. */
  async start(interrupt: Interrupt): Promise<StartedSession> {
    const { kube, docker, request, progress, id, ends } = this;
    const namespace = kube.namespace;
    const undo: UndoStep[] = [];
    let warden: StartedWarden | undefined;
    // Steps still under way when a signal came: what they make is undone once they are done.
    const finishing: Promise<void>[] = [];
    const making = async <T>(step: Promise<T>, undoOf: (made: T) => UndoStep): Promise<T> => {
      try {
        const made = await interrupt.race(step);
        undo.push(undoOf(made));
        return made;
      } catch (err) {
        finishing.push(
          step.then(
            (made) => void undo.push(undoOf(made)),
            () => undefined,
          ),
        );
        throw err;
      }
    };
    try {
      // The callers have checked that the cluster answers and that the workload can be used.
      const w = await interrupt.race(resolveWorkload(kube, request.workload));
      const lease = await making(
        ends.createRecord(namespace, id, {
          kind: w.kind,
          namespace,
          ...("name" in w
            ? {
                deployment:
                  (w.kind === "swap" || w.kind === "intercept") && w.type ? `${w.type}/${w.name}` : w.name,
              }
            : {}),
          ...(w.kind === "swap" && w.ref ? { workload: w.ref } : {}),
        }),
        (made) => ({ what: "session record", cluster: true, run: async () => (await made.delete(), []) }),
      );
      progress.debug("lease created");
      const plan = wardenPlanFor(id, namespace, leaseName(id), undoPlanOf(w, id));
      const owner = { name: leaseName(id), uid: lease.uid };
      // The warden exists before the first change to the cluster: from then on, something in the
      // cluster undoes the session if the CLI stops renewing its lease.
      warden = await making(
        ends.startWarden(plan, request.agentImage, owner, (t) => progress.warn(t)),
        (made) => ({ what: "warden", cluster: true, run: async () => (await made?.remove()) ?? [] }),
      );
      progress.debug("warden created");

      // The cluster end's undo is known before it starts: a start cut short (a signal, a failure)
      // is stopped before its next change and undone by name, from the same plan as the warden's.
      const aborted = new AbortController();
      interrupt.onSignal(() => aborted.abort());
      const options = {
        namespace,
        sessionId: id,
        agentImage: request.agentImage,
        signal: aborted.signal,
        step: (t: string) => progress.step(t),
        lease: { name: leaseName(id), uid: lease.uid },
      };
      const exposePorts = request.sidecar.expose.map((e) => ({
        port: e.remotePort,
        protocol: e.protocol === "udp" ? ("UDP" as const) : ("TCP" as const),
      }));
      const starting = ends.startRemote(w, exposePorts, options, (t) => progress.warn(t));
      starting.catch(() => undefined);
      undo.push({
        what: "cluster",
        cluster: true,
        // The Deployment's pods start again while the local side is taken down.
        early: true,
        run: async () => {
          aborted.abort();
          const made = await starting.catch(() => undefined);
          return made ? made.restore() : ends.undoRemote({ ...plan, lease: undefined });
        },
      });
      // Returns once the proxy pod exists; its start overlaps the local work below.
      const remote = await interrupt.race(starting);
      progress.debug(`proxy pod created: ${remote.pod}`);

      // Local side, while the pod starts: the session folder, then the sidecar until it is ready.
      // Its record comes first and goes last, so that `tp cleanup` finds its folders after a crash
      // at any moment (the sidecar's labels name them only while it exists).
      await making(ends.localRecord(id, request.volumes?.folder, namespace), (made) => ({
        what: "session's local record",
        run: async () => (await made.remove(), []),
      }));
      const prepared = request.volumes
        ? SessionVolumes.prepare(kube, remote, request.volumes, id)
        : Promise.resolve(undefined);
      prepared.catch(() => undefined);
      const local = startLocal(this.local(), remote, undo, prepared, w, aborted.signal);
      const envAhead =
        (request.envAhead && ends.envAhead?.(remote, (t) => progress.debug(t))) || Promise.resolve(undefined);
      void whenKnownAhead(envAhead, local, remote, progress).then((a) => this.aheadKnown(a));
      // Cluster side, once the agent runs: its environment (and version) over a port-forward.
      const agentEnv = remote.running.then(() => {
        progress.debug("proxy pod running");
        return ends.readPodEnv(remote).finally(() => progress.debug("pod env read"));
      });
      agentEnv.catch(() => undefined);
      // The first copy of the volumes, by the CLI as soon as the agent answers.
      // It uses the port-forward the env came by; closed after it.
      const copied = agentEnv.then(async (read) => {
        try {
          const volumes = await prepared;
          if (volumes) {
            await volumes.copyFirst(read.session);
            progress.debug("volumes copied");
          }
        } finally {
          read.session?.close();
        }
      });
      copied.catch(() => undefined);
      let started: LocalSide;
      try {
        started = await interrupt.race(Promise.all([local, remote.running]).then(([l]) => l));
      } catch (err) {
        // Whatever the local side created is undone with the rest.
        await local.catch(() => undefined);
        throw err;
      }
      const { volumes, sidecar, labels, link: tunnel, endStep, sockets, hostPorts } = started;
      // Stopped with the rest even if a signal comes while it starts.
      undo.push({ what: "tunnel", run: async () => (await tunnel.stop(), []) });
      // A sidecar that dies meanwhile ends the start at once (the tunnel would retry for 30 s).
      const [{ env: podEnv }] = await interrupt.race(
        Promise.race([
          Promise.all([
            agentEnv,
            tunnel
              .start(30_000, remote.listening ? Promise.any([agentEnv, remote.listening]) : agentEnv)
              .finally(() => progress.debug("tunnel up")),
          ]),
          sidecar.died,
          // A part of the cluster end gone for good (an intercept's router) ends the start too.
          ...(remote.lost ? [remote.lost] : []),
        ]),
      );
      remote.ready.then(
        () => progress.debug("proxy ready"),
        () => undefined,
      );
      if (hostPorts.length) {
        const hostLink = new HostForwardLink(docker, sidecar.container.id, hostPorts, sockets);
        hostLink.start();
        undo.push({ what: "host forward", run: async () => (hostLink.stop(), []) });
      }
      endStep("sidecar ready, tunnel up");
      // The user's container starts once the tunnel is up and the volumes are copied. The agent has
      // answered, so it listens: the proxy turns Ready meanwhile, and the workload's own pods serve
      // until the container runs and the proxy is Ready (StartedSession.guard).
      await interrupt.race(
        Promise.all([
          copied,
          volumes?.waitReady(sidecar, progress).then(() => progress.debug("volumes ready in the sidecar")),
        ]),
      );
      sidecar.onEvent((s) => {
        if (s.event === "listen-error")
          progress.warn(`the proxy cannot listen on port ${s.port}: ${s.message}`);
      });
      const env: Record<string, string> = userEnv(podEnv, remote, volumes);
      const lost = Promise.race([
        tunnel.failed,
        lease.lost,
        sidecar.died,
        ...(remote.lost ? [remote.lost] : []),
      ]);
      lost.catch(() => undefined);
      return new StartedSession(id, remote, sidecar, env, labels, lost, undo, progress, warden, volumes);
    } catch (err) {
      this.aheadKnown(undefined);
      await Promise.all(finishing);
      await undoAll(undo, progress);
      throw err;
    }
  }
}
