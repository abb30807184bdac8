import type Dockerode from "dockerode";
import { systemClock, type Clock } from "../clock.js";

/** How often the container is inspected, for a start that Docker's events did not show. */
const pollMs = 500;

/** Whether an inspected container has started (it may have ended since). */
function hasStarted(info: Dockerode.ContainerInspectInfo): boolean {
  const at = info.State.StartedAt;
  return info.State.Running || (!!at && !at.startsWith("0001-"));
}

/**
 * Resolves true once the container `name` has started (made now or later, as by `docker run`):
 * seen at once through Docker's events, or by inspecting it every half second, so that a start
 * the events miss (they are followed only some moments after they are asked for, or the stream
 * drops) is still seen. Resolves false once `signal` aborts first. Never rejects.
 */
export async function containerStarted(
  docker: Dockerode,
  name: string,
  signal: AbortSignal,
  clock: Clock = systemClock,
): Promise<boolean> {
  let stream: { destroy?: () => void } | undefined;
  const stop = new AbortController();
  const done = AbortSignal.any([signal, stop.signal]);
  const seen = new Promise<void>((resolve) => {
    docker
      .getEvents({ filters: { type: ["container"], event: ["start"], container: [name] } })
      .then((s) => {
        stream = s as unknown as { destroy?: () => void };
        if (done.aborted) return stream.destroy?.();
        s.on("data", () => resolve());
        s.on("error", () => undefined);
      })
      .catch(() => undefined);
  });
  try {
    while (!done.aborted) {
      const info = await docker
        .getContainer(name)
        .inspect()
        .catch(() => undefined);
      if (info && hasStarted(info)) return true;
      const woken = await Promise.race([
        seen.then(() => "event" as const),
        clock.sleep(pollMs, { signal: done, unref: true }).then(() => "tick" as const),
      ]);
      if (woken === "event") return true;
    }
    return false;
  } finally {
    stop.abort();
    stream?.destroy?.();
  }
}
