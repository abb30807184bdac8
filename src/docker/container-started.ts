import type Dockerode from "dockerode";

export interface StartWatch {
  /** Resolves when Docker reports that a container of the watched ones started. */
  started: Promise<void>;
  /** True once the events are followed (a start from then on is seen); false if they cannot be. */
  listening: Promise<boolean>;
  close(): void;
}

/**
 * Watch Docker's events for the start of a container with the given labels ("key=value"). Opened
 * before the container is created, so that its start is not missed; `started` never rejects (it
 * stays pending if the events cannot be read).
 */
export function watchStart(docker: Dockerode, labels: string[]): StartWatch {
  let stream: NodeJS.ReadableStream | undefined;
  let closed = false;
  let resolve = () => undefined as void;
  const started = new Promise<void>((r) => (resolve = r));
  const listening = docker
    .getEvents({ filters: { type: ["container"], event: ["start"], label: labels } })
    .then((s) => {
      stream = s;
      if (closed) return (close(), false);
      s.on("data", () => {
        resolve();
        close();
      });
      s.on("error", () => undefined);
      return true;
    })
    .catch(() => false);
  const close = () => {
    closed = true;
    (stream as unknown as { destroy?: () => void } | undefined)?.destroy?.();
  };
  return { started, listening, close };
}
