import type { ClientHttp2Session } from "node:http2";
import { TunnelClient } from "../tunnel/tunnel-client.js";
import type { Kube } from "./kube.js";
import { openPortForward } from "./port-forward.js";
import { tunnelPort } from "../contract/tunnel-protocol.js";
import type { RemoteEnd } from "./remote-end.js";

/**
 * An HTTP/2 session of the CLI's own with the agent in the proxy pod (a port-forward to its
 * tunnel port), for requests that belong to no tunnel session: the env at start, the first copy
 * of the volumes.
 */
export interface AgentSession {
  client: TunnelClient;
  session: ClientHttp2Session;
  close(): void;
}

export async function openAgentSession(kube: Kube, remote: RemoteEnd): Promise<AgentSession> {
  const transport = await openPortForward(kube, remote.namespace, remote.pod, tunnelPort);
  const client = new TunnelClient();
  return {
    client,
    session: client.attach(transport),
    close: () => {
      client.close();
      transport.destroy();
    },
  };
}

/** Use an agent session (`given`, else a new one, closed when `use` settles). */
export async function withAgentSession<T>(
  kube: Kube,
  remote: RemoteEnd,
  use: (client: TunnelClient, session: ClientHttp2Session) => Promise<T>,
  given?: AgentSession,
): Promise<T> {
  if (given && !given.session.closed && !given.session.destroyed) return use(given.client, given.session);
  const opened = await openAgentSession(kube, remote);
  try {
    return await use(opened.client, opened.session);
  } finally {
    opened.close();
  }
}
