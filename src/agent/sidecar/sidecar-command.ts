import { Command } from "commander";
import { formatError } from "../../errors.js";
import { sidecarSockets } from "../../contract/tunnel-protocol.js";
import { log, surviveUnexpectedErrors } from "../log.js";
import { parseSidecarConfig, sidecarConfigEnv } from "../../contract/sidecar-config.js";
import { emitStatus } from "../../contract/sidecar-status.js";
import { hostProxyEnv } from "../../contract/host-proxy.js";
import { startSidecarAgent, type StartedSidecarAgent } from "./sidecar-agent.js";

/** `tp-agent sidecar`: the local end, holding the network namespace of the user container. */
export const sidecarCommand = new Command("sidecar")
  .description(
    `redirect TCP and DNS of this network namespace into the tunnel (config: $${sidecarConfigEnv})`,
  )
  .option("--tunnel-socket <path>", "unix socket for tunnel transports", sidecarSockets.tunnel)
  .option("--host-socket <path>", "unix socket for the host forward", sidecarSockets.host)
  .option("--resolv-conf <path>", "resolver file of the namespace, rewritten in place", "/etc/resolv.conf")
  .action(async (opts: { tunnelSocket: string; hostSocket: string; resolvConf: string }) => {
    surviveUnexpectedErrors();
    let agent: StartedSidecarAgent;
    try {
      agent = await startSidecarAgent({
        config: parseSidecarConfig(process.env[sidecarConfigEnv]),
        tunnelSocket: opts.tunnelSocket,
        hostSocket: opts.hostSocket,
        resolvConfPath: opts.resolvConf,
        ...(process.env[hostProxyEnv] ? { hostProxyPort: Number(process.env[hostProxyEnv]) } : {}),
        log,
      });
    } catch (err) {
      emitStatus({ event: "error", message: formatError(err).replace(/^tp: /, "") });
      throw err;
    }
    // Stopped (docker stop): the last local writes reach the pod first; a second signal ends it.
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      process.once(signal, () => {
        process.once(signal, () => process.exit(0));
        void agent.flush().finally(() => process.exit(0));
      });
    }
  });
