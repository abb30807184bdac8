import { open } from "node:fs/promises";
import type { V1Container, V1Pod } from "@kubernetes/client-node";
import type { ContainerProbes } from "./container-probes.js";
import { terminationLogPath } from "./container-starter.js";
import type { PodContainer } from "./docker-runtime.js";
import type { ContainerView, PodView } from "./pod-status.js";

export type Waiting = Map<string, { reason: string; message?: string }>;

/** True for a container that ran and ended (or could not start). */
export function exited(c: PodContainer | undefined): boolean {
  return !!c && !c.info.State.Running && (c.info.State.Status !== "created" || !!c.info.State.Error);
}

/** The last 4096 bytes of a container's message file (the kubelet's tail.ReadAtMost); undefined when there is none. */
async function messageFile(path: string): Promise<string | undefined> {
  let file;
  try {
    file = await open(path, "r");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    return `Error on reading termination log ${path}: ${(err as Error).message}`;
  }
  try {
    const { size } = await file.stat();
    const length = Math.min(size, 4096);
    const { buffer } = await file.read(Buffer.alloc(length), 0, length, size - length);
    return buffer.toString("utf8");
  } finally {
    await file.close();
  }
}

/**
 * A container's termination message, as the kubelet makes it: the end of the file at its
 * terminationMessagePath; when there is no such file or it is empty, the container ran and
 * failed, and its policy is FallbackToLogsOnError, the tail of its log instead.
 */
async function terminationMessage(
  podDir: string,
  spec: V1Container,
  c: PodContainer | undefined,
  logTail: ((c: PodContainer) => Promise<string>) | undefined,
): Promise<string | undefined> {
  if (!exited(c) || !c) return undefined;
  let text = await messageFile(terminationLogPath(podDir, c.name, c.attempt));
  const ranAndFailed = c.info.State.ExitCode !== 0 && !c.info.State.Error;
  if (!text && ranAndFailed && spec.terminationMessagePolicy === "FallbackToLogsOnError" && logTail)
    text = await logTail(c).catch(
      (err: Error) => `Error on reading termination message from logs: ${err.message}`,
    );
  return text || undefined;
}

export interface PodViewInput {
  pod: V1Pod;
  all: PodContainer[];
  waiting: Waiting;
  probes: Map<string, ContainerProbes>;
  initDone: boolean;
  failed: boolean;
  podIP: string;
  hostIP: string;
  podDir: string;
  /** The tail of an exited container's log, for FallbackToLogsOnError. */
  logTail?: (c: PodContainer) => Promise<string>;
}

/** What the status is made from: each spec container with its Docker containers, probes and waiting reason. */
export async function buildPodView(input: PodViewInput): Promise<PodView> {
  const { all, waiting, probes } = input;
  const one = async (c: V1Container, role: "init" | "app"): Promise<ContainerView> => {
    const mine = all.filter((x) => x.name === c.name && x.role === role);
    const current = mine.at(-1);
    const previous = mine.length > 1 ? mine.at(-2) : undefined;
    const p = current ? probes.get(current.id) : undefined;
    const running = !!current?.info.State.Running && !waiting.has(c.name);
    return {
      name: c.name,
      image: c.image ?? "",
      current,
      previous,
      waiting: waiting.get(c.name),
      ready:
        role === "init"
          ? exited(current) && current?.info.State.ExitCode === 0
          : // A container whose probes are not set up yet (started in this sync) has not passed them.
            running && (p ? p.ready : !c.readinessProbe && !c.startupProbe),
      started: running && (p ? p.started : !c.startupProbe),
      terminationMessage: await terminationMessage(input.podDir, c, current, input.logTail),
      previousTerminationMessage: await terminationMessage(input.podDir, c, previous, input.logTail),
    };
  };
  return {
    podIP: input.podIP,
    hostIP: input.hostIP,
    initContainers: await Promise.all((input.pod.spec?.initContainers ?? []).map((c) => one(c, "init"))),
    containers: await Promise.all((input.pod.spec?.containers ?? []).map((c) => one(c, "app"))),
    initDone: input.initDone,
    failed: input.failed,
  };
}
