import type { ClientHttp2Session } from "node:http2";
import { TunnelClient } from "../tunnel/tunnel-client.js";
import type { Kube } from "./kube.js";
import { openPortForward } from "./port-forward.js";
import { tunnelPort } from "./proxy-pod.js";
import type { RemoteEnd } from "./remote-end.js";

/**
 * An HTTP/2 session of the CLI's own with the agent in the proxy pod (a port-forward to its
 * tunnel port), for requests that belong to no tunnel session: the env at start, the first copy
 * of large volumes. Closed when `use` settles.
 */
export async function withAgentSession<T>(
  kube: Kube,
  remote: RemoteEnd,
  use: (client: TunnelClient, session: ClientHttp2Session) => Promise<T>,
): Promise<T> {
  const transport = await openPortForward(kube, remote.namespace, remote.pod, tunnelPort);
  const client = new TunnelClient();
  try {
    return await use(client, client.attach(transport));
  } finally {
    client.close();
    transport.destroy();
  }
}
