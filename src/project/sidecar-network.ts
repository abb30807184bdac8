import type Dockerode from "dockerode";
import { execa } from "execa";
import { dockerError } from "../docker/images.js";

/**
 * Connect a running sidecar to the project network at the service's fixed address, with the
 * service name as alias. Docker rewrites /etc/resolv.conf on connect (to its embedded DNS); the
 * sidecar had pointed it at its own cluster DNS, so that text is put back.
 */
export async function joinProjectNetwork(
  docker: Dockerode,
  sidecar: string,
  network: string,
  address: string,
  alias: string,
): Promise<void> {
  const what = `connect ${alias}'s sidecar to ${network}`;
  try {
    const before = await execa("docker", ["exec", sidecar, "cat", "/etc/resolv.conf"], { stdin: "ignore" });
    await docker.getNetwork(network).connect({
      Container: sidecar,
      EndpointConfig: { IPAMConfig: { IPv4Address: address }, Aliases: [alias] },
    });
    await execa("docker", ["exec", "-i", sidecar, "sh", "-c", "cat > /etc/resolv.conf"], {
      input: before.stdout + "\n",
    });
  } catch (err) {
    const e = err as { stderr?: string };
    throw dockerError(what, e.stderr ? new Error(e.stderr.trim()) : err);
  }
}
