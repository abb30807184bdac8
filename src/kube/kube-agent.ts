import { Agent as HttpsAgent, type AgentOptions } from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";

/** The TLS settings an agent is made with: uses with the same ones share an agent. */
const tlsKeys = ["ca", "cert", "key", "pfx", "passphrase", "rejectUnauthorized", "servername"] as const;

/**
 * Make the API calls and the WebSocket streams (port-forward, exec) of `config` share keep-alive
 * connections. The client makes a new agent for every call, so each would pay a TLS handshake on
 * both ends; here the first agent made with a given set of TLS settings (credentials from an exec
 * plugin may change them) is kept, with keep-alive on: calls reuse its connections, and a
 * WebSocket upgrade takes an idle one or resumes its TLS session. Proxy agents are left as they are.
 */
export function shareConnections(config: KubeConfig): void {
  const agents = new Map<string, HttpsAgent>();
  const shared = (made: unknown): HttpsAgent | undefined => {
    if (!(made instanceof HttpsAgent) || made.constructor !== HttpsAgent) return undefined;
    const options = (made as HttpsAgent & { options: AgentOptions }).options;
    const key = JSON.stringify(tlsKeys.map((k) => String(options[k] ?? "")));
    let agent = agents.get(key);
    if (!agent) {
      agent = new HttpsAgent({ ...options, keepAlive: true });
      agents.set(key, agent);
    }
    return agent;
  };
  const applyAuth = config.applySecurityAuthentication.bind(config);
  config.applySecurityAuthentication = async (context) => {
    await applyAuth(context);
    const agent = shared(context.getAgent());
    if (agent) context.setAgent(agent);
  };
  const applyHttps = config.applyToHTTPSOptions.bind(config);
  config.applyToHTTPSOptions = async (opts) => {
    await applyHttps(opts);
    const agent = shared((opts as { agent?: unknown }).agent);
    if (agent) (opts as { agent?: unknown }).agent = agent;
  };
}
