import type { IncomingMessage } from "node:http";

/** Stream ids of the remotecommand channel protocol (k8s.io/apimachinery/pkg/util/remotecommand). */
export const channel = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;

export const remoteCommandProtocols = [
  "v5.channel.k8s.io",
  "v4.channel.k8s.io",
  "v3.channel.k8s.io",
  "v2.channel.k8s.io",
  "channel.k8s.io",
];

export const portForwardProtocols = ["portforward.k8s.io", "v4.channel.k8s.io"];

/** The first protocol the client offers that the server supports (wsstream's handshake), "" when none offered. */
export function negotiate(offered: Set<string>, supported: string[]): string | false {
  if (offered.size === 0) return "";
  for (const p of offered) if (supported.includes(p)) return p;
  return false;
}

/** Query values of a request, with repeated keys and comma lists flattened. */
export function queryValues(req: IncomingMessage, ...keys: string[]): string[] {
  const url = new URL(req.url ?? "/", "http://kubelet");
  return keys
    .flatMap((k) => url.searchParams.getAll(k))
    .flatMap((v) => v.split(","))
    .filter((v) => v !== "");
}

export function queryFlag(req: IncomingMessage, key: string): boolean {
  const v = new URL(req.url ?? "/", "http://kubelet").searchParams.get(key);
  return v === "1" || v === "true" || v === "True";
}

export function frame(ch: number, data: Buffer | string = Buffer.alloc(0)): Buffer {
  const body = typeof data === "string" ? Buffer.from(data) : data;
  return Buffer.concat([Buffer.from([ch]), body]);
}
