import * as z from "zod/mini";

/**
 * The JSON answers of the tunnel's own routes (see tunnel-protocol.ts), apart from it so that
 * the bundles that only need the protocol's constants (tp-agent pipe) carry no schema library.
 * No version field: `GET /env` is how the CLI learns the agent's version, and refuses an agent
 * of another one, before anything else crosses the tunnel.
 */

/** `GET /resolv`: the proxy pod's DNS settings, from its /etc/resolv.conf, and its own names. */
export const podResolvConf = z.object({
  nameservers: z.array(z.string()),
  search: z.array(z.string()),
  ndots: z.number(),
  /** The names its /etc/hosts gives its own host (see agent/hosts-file.ts), where it has a line. */
  hostNames: z.optional(z.array(z.string())),
});
export type PodResolvConf = z.output<typeof podResolvConf>;

/**
 * `GET /env` (and `tp-agent env --with-version`): the agent's version and its container's
 * environment. Both are optional: whatever answers may not be this version's agent, and the
 * CLI says so rather than failing to read it.
 */
export const agentInfo = z.object({
  version: z.optional(z.string()),
  env: z.optional(z.record(z.string(), z.string())),
});
export type AgentInfo = z.output<typeof agentInfo>;
