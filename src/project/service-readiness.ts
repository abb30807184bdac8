import type Dockerode from "dockerode";
import { TpError } from "../errors.js";
import { waitFor } from "../wait.js";
import type { DependencyCondition } from "./model.js";

/** How long a dependency may take to become healthy or to complete. */
export const dependencyTimeoutMs = 300_000;

/** Wait until a started service meets a depends_on condition; fails when it cannot any more. */
export async function waitForCondition(
  docker: Dockerode,
  service: string,
  container: string,
  condition: DependencyCondition,
  timeoutMs = dependencyTimeoutMs,
): Promise<void> {
  if (condition === "service_started") return;
  await waitFor(
    condition === "service_healthy" ? `service ${service} to be healthy` : `service ${service} to complete`,
    async () => {
      const info = await docker.getContainer(container).inspect();
      const state = info.State;
      if (condition === "service_healthy") {
        if (!state.Health)
          throw new TpError("config", `service ${service} has no healthcheck, so it cannot become healthy`, {
            hint: `add a healthcheck to ${service} or use condition: service_started`,
          });
        if (state.Health.Status === "healthy") return true;
        if (!state.Running)
          throw new TpError(
            "docker-error",
            `service ${service} exited (${state.ExitCode}) before it was healthy`,
          );
        return undefined;
      }
      if (state.Running) return undefined;
      if (state.ExitCode === 0) return true;
      throw new TpError(
        "docker-error",
        `service ${service} did not complete successfully (exit code ${state.ExitCode})`,
      );
    },
    { timeoutMs, intervalMs: 500 },
  );
}
