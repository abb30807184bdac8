import { Command, InvalidArgumentError } from "commander";
import { log, surviveUnexpectedErrors } from "../log.js";
import { parseRouterRegistration, routerRegistrationEnv } from "../../contract/router-control.js";
import { drain } from "./drain.js";
import { startProxyAgent } from "./proxy-agent.js";
import { podIp, startRouterRegistration } from "./router-registration.js";

export function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new InvalidArgumentError("not a port number");
  return port;
}

function parseFd(value: string): number {
  const fd = Number(value);
  if (!Number.isInteger(fd) || fd < 3) throw new InvalidArgumentError("not a file descriptor (3 or more)");
  return fd;
}

/** After the pod's stop signal: ended once no connection came for 1 s, and within 8 s at most. */
const drainQuietMs = 1_000;
const drainMaxMs = 8_000;

/** `tp-agent proxy`: the tunnel's server end, in the proxy pod. */
export const proxyCommand = new Command("proxy")
  .description("serve the tunnel on 127.0.0.1 (role in the proxy pod)")
  .option("--tunnel-port <port>", "tunnel port on 127.0.0.1", parsePort, 7770)
  .option(
    "--tunnel-fd <fd>",
    "accept on this inherited listening socket (tp-listen made it) instead of binding the port",
    parseFd,
  )
  .option("--ready-file <path>", "written once the tunnel listens", "/tmp/tp-agent-ready")
  .option(
    "--readiness-port <port>",
    "answer the readiness probe over HTTP on this port, every address: 200 while a session is connected",
    parsePort,
  )
  .option(
    "--readiness-fd <fd>",
    "answer the readiness probe on this inherited listening socket (tp-listen made it)",
    parseFd,
  )
  .option("--resolv-conf <path>", "the pod's resolver configuration", "/etc/resolv.conf")
  .action(
    async (opts: {
      tunnelPort: number;
      tunnelFd?: number;
      readyFile: string;
      readinessPort?: number;
      readinessFd?: number;
      resolvConf: string;
    }) => {
      surviveUnexpectedErrors();
      const registration = parseRouterRegistration(process.env[routerRegistrationEnv]);
      const routerClient = registration
        ? startRouterRegistration({ registration, targetHost: podIp(), tunnelUp: false, log })
        : undefined;
      const agent = await startProxyAgent({
        tunnelPort: opts.tunnelPort,
        tunnelFd: opts.tunnelFd,
        readyFile: opts.readyFile,
        readinessPort: opts.readinessPort,
        readinessFd: opts.readinessFd,
        resolvConfPath: opts.resolvConf,
        log,
        onTunnel: (up) => routerClient?.setTunnel(up),
      });
      // The pod's deletion: served on while connections still reach it (see drain), then ended;
      // a second signal ends it at once. A router's rule for this session lives as long as its
      // registration, and the router is not behind a node's Service rules: it goes at once, and
      // the router sends the session's requests to the workload's pods again.
      let stopping = false;
      for (const signal of ["SIGTERM", "SIGINT"] as const) {
        process.on(signal, () => {
          if (stopping) process.exit(0);
          stopping = true;
          routerClient?.close();
          const { serving, lastAccept } = agent;
          log(serving() ? `${signal}: serving on while connections still come` : `${signal}: ending`);
          void drain({ serving, lastAccept, quietMs: drainQuietMs, maxMs: drainMaxMs })
            .then(() => agent.close())
            .finally(() => process.exit(0));
        });
      }
    },
  );
