import type { ExposeMapping, HostPortMapping, SidecarConfig } from "../contract/sidecar-config.js";
import { hostProxyEnv, hostProxyPort } from "../contract/host-proxy.js";

/** Where exposed ports land inside the sidecar of a host-process session, before going to the host. */
const firstInnerPort = 40_000;

/**
 * The sidecar of a host-process session (`tp run`, `tp shell`): it publishes its SOCKS5/HTTP proxy
 * on the host's 127.0.0.1 at a port Docker picks, and delivers each exposed port of the pod to the
 * host's 127.0.0.1:PORT by the host-forward path (container-to-host) from a port of its own.
 */
export function hostProcessSidecar(
  expose: ExposeMapping[],
  containerToHost: HostPortMapping[],
): {
  config: Pick<SidecarConfig, "expose" | "containerToHost">;
  publish: string[];
  env: Record<string, string>;
} {
  const inner = expose.map((e, i) => ({ ...e, innerPort: firstInnerPort + i }));
  return {
    config: {
      expose: inner.map((e) => ({ localPort: e.innerPort, remotePort: e.remotePort })),
      containerToHost: [
        ...containerToHost,
        ...inner.map((e) => ({ containerPort: e.innerPort, hostPort: e.localPort })),
      ],
    },
    publish: [`127.0.0.1::${hostProxyPort}/tcp`],
    env: { [hostProxyEnv]: String(hostProxyPort) },
  };
}
