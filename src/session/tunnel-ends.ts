import type Dockerode from "dockerode";
import type { Duplex } from "node:stream";
import { openPortForward } from "../kube/port-forward.js";
import type { Kube } from "../kube/kube.js";
import type { RemoteEnd } from "../kube/remote-end.js";
import { tunnelPort } from "../contract/tunnel-protocol.js";
import type { StartedSidecar } from "../docker/sidecar.js";
import type { SocketFolder } from "../docker/socket-folder.js";
import { openSidecarPipe } from "../docker/open-sidecar-pipe.js";
import { proxyGone } from "../cluster/proxy-gone.js";

/** What the tunnel joins: a port-forward to the agent, and a pipe into the sidecar. */
export interface TunnelEnds {
  portForward(): Promise<Duplex>;
  sidecarPipe(): Promise<Duplex>;
  /** Why the proxy pod will not come back (deleted, ended), or undefined while it may. */
  proxyGone?(): Promise<string | undefined>;
}

/** The real ends: a port-forward with the user's credentials, the sidecar's tunnel socket. */
export function tunnelEnds(
  kube: Kube,
  docker: Dockerode,
  remote: RemoteEnd,
  sidecar: StartedSidecar,
  /** The sidecar's sockets, reachable from here (else the exec pipe is used). */
  sockets?: SocketFolder,
): TunnelEnds {
  return {
    portForward: () => openPortForward(kube, remote.namespace, remote.pod, tunnelPort),
    sidecarPipe: () => openSidecarPipe(docker, sidecar.container.id, sockets),
    // The cluster not answering is not a reason: reconnecting may still work.
    proxyGone: () => proxyGone(kube, remote),
  };
}
