import type { LocalEngine } from "../docker/local-engine.js";
import { dockerError } from "../docker/docker-error.js";

/**
 * Connect a running sidecar to the project network at the service's fixed address, with the
 * service name as alias. Docker rewrites /etc/resolv.conf on connect (to its embedded DNS); the
 * sidecar had pointed it at its own cluster DNS, so that text is put back.
 */
export async function joinProjectNetwork(
  engine: LocalEngine,
  sidecar: string,
  network: string,
  address: string,
  alias: string,
): Promise<void> {
  const what = `connect ${alias}'s sidecar to ${network}`;
  const run = async (cmd: string[]) => {
    const r = await engine.exec(sidecar, cmd);
    if (r.exitCode !== 0) throw new Error(r.stderr.trim() || `${cmd.join(" ")}: exit code ${r.exitCode}`);
    return r.stdout;
  };
  try {
    const before = await run(["cat", "/etc/resolv.conf"]);
    await engine.api.getNetwork(network).connect({
      Container: sidecar,
      EndpointConfig: { IPAMConfig: { IPv4Address: address }, Aliases: [alias] },
    });
    await run(["sh", "-c", 'printf %s "$1" > /etc/resolv.conf', "sh", before]);
  } catch (err) {
    throw dockerError(what, err);
  }
}
