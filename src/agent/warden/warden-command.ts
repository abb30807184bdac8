import { Command } from "commander";
import { parseWardenPlan, wardenPlanEnv } from "../../contract/warden-plan.js";
import { inClusterAccess, inClusterLeaseReader } from "./lease-reader.js";
import { runWarden } from "./warden-loop.js";

/** tp-agent warden: in the cluster, undo a session whose lease stops being renewed. */
export const wardenCommand = new Command("warden")
  .description("watch a session's lease and undo the session when it expires (runs in the cluster)")
  .action(async () => {
    const plan = parseWardenPlan(process.env[wardenPlanEnv]);
    const log = (t: string) => process.stderr.write(`warden ${plan.sessionId}: ${t}\n`);
    // PID 1 has no default signal handling: leave at once when the pod is deleted.
    process.on("SIGTERM", () => process.exit(0));
    const readLease = inClusterLeaseReader(inClusterAccess(), plan.namespace, plan.lease);
    log(`watching lease ${plan.namespace}/${plan.lease}`);
    // The Kubernetes client is loaded only to undo (see lease-reader.ts).
    const undo = async (): Promise<void> => {
      const [{ loadKube }, { undoPlan }] = await Promise.all([
        import("../../kube/kube.js"),
        import("../../kube/undo-plan.js"),
      ]);
      await undoPlan(loadKube({ inCluster: true, namespace: plan.namespace }), plan, log);
    };
    await runWarden(readLease, undo, log);
    // Last, the lease went with the undo. The warden's pod, ServiceAccount, Role and RoleBinding
    // are owned by it, so the garbage collector removes them (and this process) once it is gone;
    // the pod completes (restartPolicy OnFailure) if it is still here.
  });
