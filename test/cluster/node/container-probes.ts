import type { V1Container } from "@kubernetes/client-node";
import type Docker from "dockerode";
import { runProbe } from "./probe-runner.js";
import { ProbeWorker } from "./probe-worker.js";

/** The startup, readiness and liveness probes of one running container. */
export class ContainerProbes {
  readonly startup?: ProbeWorker;
  readonly readiness?: ProbeWorker;
  readonly liveness?: ProbeWorker;

  constructor(
    docker: Docker,
    readonly containerId: string,
    container: V1Container,
    podIP: string,
    startedAt: number,
    onChange: () => void,
  ) {
    const target = { podIP, containerId, container };
    const started = () => this.started;
    if (container.startupProbe) {
      const p = container.startupProbe;
      this.startup = new ProbeWorker(
        "startup",
        p,
        () => runProbe(docker, p, target),
        onChange,
        () => !this.started,
      );
    }
    if (container.readinessProbe) {
      const p = container.readinessProbe;
      this.readiness = new ProbeWorker("readiness", p, () => runProbe(docker, p, target), onChange, started);
    }
    if (container.livenessProbe) {
      const p = container.livenessProbe;
      this.liveness = new ProbeWorker("liveness", p, () => runProbe(docker, p, target), onChange, started);
    }
    for (const w of [this.startup, this.readiness, this.liveness]) w?.start(startedAt);
  }

  /** True once the startup probe succeeded (or when there is none). */
  get started(): boolean {
    return !this.startup || this.startup.result === true;
  }

  get ready(): boolean {
    return this.started && (!this.readiness || this.readiness.result === true);
  }

  /** True when liveness or startup failed for good: the kubelet kills the container. */
  get failed(): boolean {
    return this.liveness?.result === false || this.startup?.result === false;
  }

  stop(): void {
    for (const w of [this.startup, this.readiness, this.liveness]) w?.stop();
  }
}
