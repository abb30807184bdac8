import { Command } from "commander";
import { UsageError } from "../../errors.js";
import { hostRunSession } from "../../session/host-run-session.js";
import { dockerFrom, progressFrom } from "../clients.js";
import { hostRunRequest } from "../host-run-request.js";
import { examples } from "../examples.js";
import type { GlobalOptions } from "../options.js";
import { withWorkloadOptions, type WorkloadFlags } from "../workload-options.js";

export const runCommand = withWorkloadOptions(new Command("run"), {
  exposeTo: "the host's 127.0.0.1:",
  udp: false,
})
  .description("run a command on this machine with the pod's environment, volumes and network")
  .usage("[options] -- CMD [ARGS...]")
  .argument("[command...]", "the command and its arguments (after --)")
  .action(async function (this: Command, words: string[], flags: WorkloadFlags) {
    const [program, ...args] = words;
    if (!program) throw new UsageError("tp run needs a command to run: tp run [options] -- CMD [ARGS...]");
    const { request, kube } = hostRunRequest(this, flags, [program, ...args], false);
    const global = this.optsWithGlobals<GlobalOptions>();
    process.exitCode = await hostRunSession(kube, dockerFrom(), request, progressFrom(global));
  });

examples(runCommand, [
  ["tp run --swap-deployment web --expose 8080 -- npm run dev", "your program takes web's traffic"],
  [
    "tp run --intercept web --http-header x-dev=me --expose 8080 -- npm run dev",
    "requests with x-dev: me reach your program",
  ],
  ["tp run -- curl http://api.shop/health", "cluster names and TCP for one command"],
]);
