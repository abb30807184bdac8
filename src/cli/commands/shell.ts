import { Command } from "commander";
import { hostRunSession } from "../../session/host-run-session.js";
import { dockerFrom, progressFrom } from "../clients.js";
import { hostRunRequest } from "../host-run-request.js";
import { examples } from "../examples.js";
import type { GlobalOptions } from "../options.js";
import { withWorkloadOptions, type WorkloadFlags } from "../workload-options.js";

export const shellCommand = withWorkloadOptions(new Command("shell"), {
  exposeTo: "the host's 127.0.0.1:",
  udp: false,
})
  .description(
    "run your $SHELL on this machine with the pod's environment, volumes and network (interactive on a terminal, else it reads a script from standard input)",
  )
  .action(async function (this: Command, flags: WorkloadFlags) {
    const shell = process.env["SHELL"] || "/bin/sh";
    const { request, kube } = hostRunRequest(this, flags, [shell], Boolean(process.stdin.isTTY));
    const global = this.optsWithGlobals<GlobalOptions>();
    process.exitCode = await hostRunSession(kube, dockerFrom(), request, progressFrom(global));
  });

examples(shellCommand, [
  ["tp shell --swap-deployment web", "your shell with web's environment, volumes and network"],
  ["echo 'curl -s http://api/health' | tp shell", "a script on standard input"],
]);
