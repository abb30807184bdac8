import { Agent as HttpsAgent, type AgentOptions } from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";

/** The TLS settings an API call's agent was made with: calls with the same ones share an agent. */
const tlsKeys = ["ca", "cert", "key", "pfx", "passphrase", "rejectUnauthorized", "servername"] as const;

/**
 * Make the API calls of `config` share keep-alive connections. The client makes a new agent for
 * every call, so each call would pay a TLS handshake on both ends; here the first agent made with
 * a given set of TLS settings (credentials from an exec plugin may change them) is kept, with
 * keep-alive on. Proxy agents are left as they are.
 */
export function shareConnections(config: KubeConfig): void {
  const agents = new Map<string, HttpsAgent>();
  const apply = config.applySecurityAuthentication.bind(config);
  config.applySecurityAuthentication = async (context) => {
    await apply(context);
    const made = context.getAgent();
    if (!(made instanceof HttpsAgent) || made.constructor !== HttpsAgent) return;
    const options = (made as HttpsAgent & { options: AgentOptions }).options;
    const key = JSON.stringify(tlsKeys.map((k) => String(options[k] ?? "")));
    let shared = agents.get(key);
    if (!shared) {
      shared = new HttpsAgent({ ...options, keepAlive: true });
      agents.set(key, shared);
    }
    context.setAgent(shared);
  };
}
