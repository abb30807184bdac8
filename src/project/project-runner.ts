import { stopWithin, type LocalEngine } from "../docker/local-engine.js";
import { reachStage, Stages } from "../stages.js";
import type { Writable } from "node:stream";
import type { Kube } from "../kube/kube.js";
import type { Reporter } from "../session/reporter.js";
import type { Interrupt } from "../session/interrupt.js";
import { Session } from "../session/session.js";
import { volumesOwnerFor } from "../docker/image-user.js";
import { signalNotice, type StartedSession } from "../session/started-session.js";
import { TpError } from "../errors.js";
import { defaultMountLimit } from "../volumes/index.js";
import { plainServiceCommand, tpServiceCommand, type DockerCommand } from "./container-command.js";
import { followLogs, logPrefix } from "./log-prefixer.js";
import type { ProjectService } from "./model.js";
import { containerName, describeService, type ProjectPlan } from "./plan.js";
import { ProjectLabels, projectLabels } from "./project-labels.js";
import {
  createProjectNetwork,
  removeProjectNetworks,
  serviceAddress,
  type ProjectNetwork,
} from "./project-network.js";
import type { ProjectState } from "./project-state.js";
import { waitForCondition } from "./service-readiness.js";
import { ServiceProgress } from "./service-progress.js";
import { joinProjectNetwork } from "./sidecar-network.js";

export interface RunnerOptions {
  /** Kubernetes clients for a namespace (undefined: the project's). */
  kubeFor: (namespace: string | undefined) => Kube;
  engine: LocalEngine;
  agentImage: string;
  context?: string;
  progress: Reporter;
  /** Where the services' prefixed log lines go. */
  logs: Writable;
  color: boolean;
  interrupt: Interrupt;
  /** Called whenever a service has started (for the state file). */
  onChange?: (services: ProjectState["services"]) => void;
}

export interface RunningService {
  service: ProjectService;
  container: string;
  address: string;
  session?: StartedSession;
  namespace?: string;
  /** The container's exit code. */
  exited: Promise<number>;
  logs: Promise<void>;
  /** Its `docker run` while under way: stop() waits for it, so that no container comes after. */
  starting?: Promise<unknown>;
}

/** Starts a project's services in dependency order and stops them all again. */
export class ProjectRunner {
  readonly running: RunningService[] = [];
  private network: ProjectNetwork | undefined;
  private readonly width: number;

  constructor(
    private readonly plan: ProjectPlan,
    private readonly options: RunnerOptions,
  ) {
    this.width = Math.max(...plan.services.map((s) => s.name.length));
  }

  /** Everything up; on failure (or a signal) the caller runs stop(). */
  async start(): Promise<void> {
    const { plan, options } = this;
    const { interrupt, progress } = options;
    const end = progress.step(`creating network ${plan.network}`);
    this.network = await interrupt.race(createProjectNetwork(options.engine.api, plan.project, plan.network));
    end(`network ${plan.network} (${this.network.subnet})`);
    for (const s of plan.services) {
      for (const d of s.dependsOn) {
        const dep = this.running.find((r) => r.service.name === d.service);
        if (!dep || d.condition === "service_started") continue;
        const wait = progress.step(
          `${s.name}: waiting for ${d.service} (${d.condition.replace("service_", "")})`,
        );
        await interrupt.race(waitForCondition(options.engine.api, d.service, dep.container, d.condition));
        wait();
      }
      if (s.tp) await this.startTpService(s, this.network);
      else await this.startPlainService(s, this.network);
      options.onChange?.(this.describe());
    }
  }

  describe(): ProjectState["services"] {
    return this.running.map((r) => ({
      name: r.service.name,
      kind: describeService(r.service),
      container: r.container,
      address: r.address,
      ...(r.session
        ? { session: r.session.id, sidecar: r.session.sidecar.name, namespace: r.session.remote.namespace }
        : {}),
    }));
  }

  private address(s: ProjectService, network: ProjectNetwork): string {
    return serviceAddress(network, this.plan.project.services.indexOf(s));
  }

  private async startPlainService(s: ProjectService, network: ProjectNetwork): Promise<void> {
    const name = containerName(this.plan.project, s.name);
    const address = this.address(s, network);
    const end = this.options.progress.step(`${s.name}: starting ${s.image}`);
    await this.removeStale(name);
    const cmd = plainServiceCommand(s, {
      name,
      network: network.name,
      ip: address,
      labels: { ...projectLabels(this.plan.project, s.name), "dev.tp.role": "service" },
    });
    // Registered before it starts, so that stop() removes it whenever the start is cut short.
    const starting = this.dockerRun(s, cmd);
    starting.catch(() => undefined);
    const entry: RunningService = {
      service: s,
      container: name,
      address,
      exited: Promise.resolve(255),
      logs: Promise.resolve(),
      starting,
    };
    this.running.push(entry);
    await this.options.interrupt.race(
      (async () => {
        await reachStage(Stages.serviceStarting);
        await starting;
      })(),
    );
    Object.assign(entry, this.follow(s, name));
    end(`${s.name}: local container ${name} at ${address}`);
  }

  private async startTpService(s: ProjectService, network: ProjectNetwork): Promise<void> {
    const { plan, options } = this;
    const spec = s.tp!;
    const address = this.address(s, network);
    const extraHosts = plan.project.services.map((o) => `${o.name}:${this.address(o, network)}`);
    const kube = options.kubeFor(spec.namespace);
    const progress = new ServiceProgress(options.progress, s.name);
    const owner = spec.mount ? await volumesOwnerFor(options.engine.api, s.image, s.user) : undefined;
    const volumes = spec.mount && {
      ...spec.mount,
      limitBytes: defaultMountLimit,
      originalMounts: true,
      ...(owner !== undefined && { containerUid: owner }),
    };
    const session = await new Session(
      kube,
      options.engine.api,
      {
        workload: spec.workload,
        sidecar: {
          expose: spec.expose,
          alsoProxy: plan.project.tp.alsoProxy,
          neverProxy: [...plan.project.tp.neverProxy, network.subnet],
          toPod: spec.toPod,
          fromPod: spec.fromPod,
        },
        autoExpose: spec.workload.kind === "swap" || spec.workload.kind === "intercept",
        agentImage: options.agentImage,
        ...(options.context ? { context: options.context } : {}),
        publish: s.ports,
        sidecarExtra: { extraHosts, labels: projectLabels(plan.project, s.name) },
        ...(volumes && { volumes }),
      },
      progress,
    ).start(options.interrupt);
    const name = containerName(plan.project, s.name);
    // Registered at once, so that stop() undoes the session even if the rest fails.
    const entry: RunningService = {
      service: s,
      container: name,
      address,
      session,
      namespace: session.remote.namespace,
      exited: Promise.resolve(255),
      logs: Promise.resolve(),
    };
    this.running.push(entry);
    // The sidecar owns the network namespace: it joins the project network at the service's address.
    await options.interrupt.race(
      joinProjectNetwork(options.engine, session.sidecar.name, network.name, address, s.name),
    );
    await this.removeStale(name);
    const cmd = tpServiceCommand(s, {
      name,
      sessionId: session.id,
      sidecar: session.sidecar.name,
      podEnv: session.env,
      mounts: session.volumes?.mounts(s.volumes) ?? [],
      labels: session.labels,
    });
    const end = progress.step(`starting ${s.image}`);
    entry.starting = this.dockerRun(s, cmd);
    entry.starting.catch(() => undefined);
    await options.interrupt.race(entry.starting);
    // The service's container runs (docker run -d): the workload's traffic goes to it.
    await session.guard();
    Object.assign(entry, this.follow(s, name));
    end(`${session.remote.description}, container ${name} at ${address}`);
  }

  private async dockerRun(s: ProjectService, cmd: DockerCommand): Promise<void> {
    const r = await this.options.engine.run(cmd.argv, cmd.env);
    if (r.exitCode !== 0) {
      await this.removeStale(cmd.name);
      const why = r.stderr.trim().split("\n").pop() ?? `exit code ${r.exitCode}`;
      throw new TpError(
        "docker-error",
        `service ${s.name}: docker run failed: ${why.replace(/^docker: /, "")}`,
      );
    }
  }

  private follow(s: ProjectService, name: string): Pick<RunningService, "exited" | "logs"> {
    const container = this.options.engine.api.getContainer(name);
    const index = this.plan.services.indexOf(s);
    const prefix = logPrefix(s.name, this.width, index, this.options.color);
    const logs = followLogs(container, prefix, this.options.logs).catch(() => undefined);
    const exited = container.wait().then(
      (r: { StatusCode?: number }) => r.StatusCode ?? 255,
      () => 255,
    );
    void exited.then((code) => {
      if (!this.stopping) this.options.progress.info(`${s.name} exited with code ${code}`);
    });
    return { exited, logs };
  }

  private stopping = false;

  /** Resolves when every container has exited; rejects when a session is lost. */
  async allExited(): Promise<void> {
    const lost = this.running.flatMap((r) => (r.session ? [r.session.lost] : []));
    await Promise.race([Promise.all(this.running.map((r) => r.exited)), ...lost]);
  }

  /** Rejects when a session is lost (never resolves). */
  lost(): Promise<never> {
    const lost = this.running.flatMap((r) => (r.session ? [r.session.lost] : []));
    return lost.length ? Promise.race(lost) : new Promise<never>(() => undefined);
  }

  /**
   * Hand the workloads' traffic back, then stop in reverse order: each container, then the rest of
   * its session; the network last.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    const { engine, progress, interrupt } = this.options;
    // The workloads take their traffic back first, all at once, while the containers still answer
    // what their proxies send (see StartedSession.handBack); a second signal stops waiting for it.
    const sessions = this.running.flatMap((r) => (r.session ? [r.session] : []));
    if (sessions.length && interrupt.signal)
      progress.info(
        signalNotice(
          interrupt.signal,
          sessions.some((s) => s.handsBackFirst),
          false,
        ),
      );
    // A stop for another reason (a failure, every container ended) stops waiting at the first signal.
    const insist = interrupt.signal
      ? interrupt.again()
      : new Promise<void>((resolve) => interrupt.onSignal(() => resolve()));
    if (sessions.length) await Promise.race([Promise.all(sessions.map((s) => s.handBack())), insist]);
    for (const r of this.running.splice(0).reverse()) {
      await r.starting?.catch(() => undefined);
      // A program writing to a claim gets time for its shutdown's writes (a database's checkpoint),
      // which the session's end then hands to the claim.
      if (r.session && !r.session.handsBackFirst) await stopWithin(engine.api, r.container, 10);
      await this.removeStale(r.container);
      await r.logs;
      if (r.session) await r.session.stop();
      progress.info(`${r.service.name}: stopped`);
    }
    if (this.network) {
      await removeProjectNetworks(engine.api, this.plan.project.name).catch((err: Error) =>
        progress.warn(`could not remove network ${this.plan.network}: ${err.message}`),
      );
    }
  }

  /**
   * Remove a container of this project if it is there (not one of the user's that has the name);
   * failing that is not worth failing for.
   */
  private async removeStale(name: string): Promise<void> {
    const owned = { [ProjectLabels.project]: this.plan.project.name };
    await this.options.engine.removeContainer(name, owned).catch(() => undefined);
  }
}
