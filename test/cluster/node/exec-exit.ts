import type Docker from "dockerode";

/** What the node reads of an exec once its streams have ended. */
export type ExecState = Pick<Docker.ExecInspectInfo, "Running" | "ExitCode">;

/**
 * An exec's state once its output has ended. Docker may still say `Running` then: the end of the
 * process's output and its exit are separate events in the daemon, and the exit can come later
 * (more so on a busy node). So the state is read again while it says Running, as the kubelet's
 * Docker runtime does ("InspectExec may not always return latest state of exec", cri-dockerd's
 * exec handler: up to 5 reads, 2 s apart). Returns the last state read: Running still, when it
 * never changed.
 */
export async function execStateAfterOutput(
  inspect: () => Promise<ExecState>,
  options: { reads?: number; intervalMs?: number } = {},
): Promise<ExecState> {
  const reads = options.reads ?? 5;
  const intervalMs = options.intervalMs ?? 2_000;
  for (let i = 1; ; i++) {
    const state = await inspect();
    if (!state.Running || i >= reads) return state;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
