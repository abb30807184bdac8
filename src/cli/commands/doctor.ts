import { Command } from "commander";
import { runDoctor, type DoctorReport } from "../../session/doctor.js";
import { dockerFrom, kubeFrom } from "../clients.js";
import { configuredAgentImage } from "../config/index.js";
import { examples } from "../examples.js";
import type { GlobalOptions } from "../options.js";

/** Exit code when a check failed: no session can run as things are. */
export const doctorFailedExitCode = 1;

function render(report: DoctorReport): string {
  const width = Math.max(...report.checks.map((c) => c.name.length));
  const lines = report.checks.map((c) => `${c.status.padEnd(7)} ${c.name.padEnd(width)}  ${c.message}`);
  lines.push(report.ok ? "a session can run" : "a session cannot run: see the failed checks above");
  return lines.join("\n") + "\n";
}

export const doctorCommand = new Command("doctor")
  .description(
    "check, changing nothing, that tp can run here: Docker, the cluster, rights, Pod Security, the agent image, the clock",
  )
  .option("--agent-image <image>", "tp-agent image to try (default: $TP_AGENT_IMAGE or tp-agent:<version>)")
  .option("--skip-image", "do not start the short-lived pod that runs the agent image")
  .action(async function (this: Command, opts: { agentImage?: string; skipImage?: boolean }) {
    const global = this.optsWithGlobals<GlobalOptions>();
    const report = await runDoctor(kubeFrom(global), dockerFrom(), {
      agentImage: configuredAgentImage(opts.agentImage),
      skipImage: opts.skipImage,
    });
    process.stdout.write(global.output === "json" ? JSON.stringify(report, null, 2) + "\n" : render(report));
    if (!report.ok) process.exitCode = doctorFailedExitCode;
  });

examples(doctorCommand, [
  ["tp doctor", "can a session run in the current namespace?"],
  ["tp doctor -n team -o json", "the same for namespace team, as JSON"],
  ["tp doctor --skip-image", "without the short-lived pod of the agent image"],
]);
