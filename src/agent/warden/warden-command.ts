import { Command } from "commander";
import { parseWardenPlan, wardenPlanEnv } from "../../contract/warden-plan.js";

/** tp-agent warden: in the cluster, undo a session whose lease stops being renewed. */
export const wardenCommand = new Command("warden")
  .description("watch a session's lease and undo the session when it expires (runs in the cluster)")
  .action(async () => {
    const plan = parseWardenPlan(process.env[wardenPlanEnv]);
    const log = (t: string) => process.stderr.write(`warden ${plan.sessionId}: ${t}\n`);
    // PID 1 has no default signal handling: leave at once when the pod is deleted.
    process.on("SIGTERM", () => process.exit(0));
    const [{ loadKube }, { runWarden }] = await Promise.all([
      import("../../kube/kube.js"),
      import("./warden-loop.js"),
    ]);
    const kube = loadKube({ inCluster: true, namespace: plan.namespace });
    log(`watching lease ${plan.namespace}/${plan.lease}`);
    await runWarden(kube, plan, log);
    // Done: the pod completes (restartPolicy OnFailure) and goes with the lease that owns it.
  });
