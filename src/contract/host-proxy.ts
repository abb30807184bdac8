/**
 * The local proxy of `tp run`: the sidecar listens on {@link hostProxyPort} in its namespace
 * (published on the host's 127.0.0.1 at a free port) and speaks, on one port:
 * - SOCKS5 (RFC 1928, no authentication): CONNECT with an IPv4, IPv6 or domain address (a domain
 *   is resolved in the proxy pod, as the pod would), and Tor's RESOLVE extension (command 0xF0),
 *   which answers the IPv4 address a name has in the cluster (the pod's search list and ndots);
 * - HTTP: `CONNECT host:port` and absolute-URI requests (`GET http://host/path`), for programs
 *   that read `HTTP_PROXY`.
 * The preload library (src/agent/native/tp-preload.c) reads its settings from the variables below.
 *
 * Why these choices:
 * - Names are resolved by asking the proxy (RESOLVE), not by handing out fake addresses that
 *   connect() maps back to names: the program sees the cluster's real addresses, nothing is kept
 *   per process (a child started by exec, or a second process, needs no shared table), and an
 *   address printed or passed on still means the same thing in the cluster.
 * - The proxy is published by Docker on 127.0.0.1 rather than served by the CLI: it works the same
 *   with Docker Desktop (where the sidecar's unix sockets cannot be reached from the host), needs
 *   no process per connection, and goes away with the sidecar.
 * - Exposed ports reach the host through the sidecar's container-to-host path (a port of the
 *   sidecar per exposed port, forwarded over the host session), so the sidecar keeps its own
 *   network namespace and the host gets no listener it did not ask for.
 */

/** The sidecar's environment variable that turns the proxy on (its port in the sidecar). */
export const hostProxyEnv = "TP_HOST_PROXY_PORT";

/** The proxy's port inside the sidecar's network namespace. */
export const hostProxyPort = 1080;

/** SOCKS5 command of Tor's RESOLVE extension (as torsocks sends it). */
export const socksResolve = 0xf0;

/** Where the preload library is in the tp-agent image. */
export const preloadPathInImage = "/opt/tp/libtp-preload.so";

/** The preload library's settings, in the environment of the process it is loaded into. */
export const preloadEnv = {
  /** `127.0.0.1:PORT` of the proxy on the host. */
  proxy: "TP_PRELOAD_PROXY",
  /** Comma-separated IPv4 CIDRs whose TCP stays local (loopback always does). */
  neverProxy: "TP_PRELOAD_NEVER_PROXY",
  /** Comma-separated IPv4 CIDRs sent through the cluster even inside a never-proxy CIDR. */
  alsoProxy: "TP_PRELOAD_ALSO_PROXY",
  /**
   * `PID:SIGNAL`: in the process whose parent is PID (the program tp started, not its children),
   * the library asks the kernel for SIGNAL when that parent dies (PR_SET_PDEATHSIG), so that the
   * program ends with a tp killed with -9 instead of running on without its session.
   */
  parent: "TP_PRELOAD_PARENT",
} as const;
