import { readFileSync } from "node:fs";

/** Settings of the node process, from the environment with the contract's defaults. */
export interface NodeConfig {
  server: string;
  caPath: string;
  token: string;
  nodeName: string;
  nodeIP: string;
  network: string;
  podsRoot: string;
  dnsIP: string;
  kubeletPort: number;
  interface: string;
}

function readToken(path: string): string {
  const raw = readFileSync(path, "utf8");
  try {
    const parsed = JSON.parse(raw) as Record<string, unknown>;
    const node = parsed.node ?? (parsed.tokens as Record<string, unknown> | undefined)?.node;
    if (typeof node === "string") return node;
    if (node && typeof node === "object" && typeof (node as { token?: unknown }).token === "string") {
      return (node as { token: string }).token;
    }
  } catch {
    // not JSON: the file is the token
    return raw.trim();
  }
  throw new Error(`${path} has no node token`);
}

export function loadNodeConfig(env: NodeJS.ProcessEnv = process.env): NodeConfig {
  const dir = env.TP_CLUSTER_DIR ?? "/etc/tp-test-cluster";
  return {
    server: env.TP_API_SERVER ?? "https://10.244.0.2:6443",
    caPath: env.TP_CA ?? `${dir}/pki/ca.crt`,
    token: env.TP_NODE_TOKEN ?? readToken(env.TP_TOKENS ?? `${dir}/tokens.json`),
    nodeName: env.TP_NODE_NAME ?? "tp-test-node",
    nodeIP: env.TP_NODE_IP ?? "10.244.0.3",
    network: env.TP_NETWORK ?? "tp-test-cluster",
    podsRoot: env.TP_PODS_ROOT ?? "/var/lib/tp-test-cluster/pods",
    dnsIP: env.TP_DNS_IP ?? "10.244.128.10",
    kubeletPort: Number(env.TP_KUBELET_PORT ?? 10250),
    interface: env.TP_INTERFACE ?? "eth0",
  };
}
