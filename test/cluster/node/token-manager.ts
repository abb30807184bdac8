import { readFileSync } from "node:fs";
import type { V1Pod } from "@kubernetes/client-node";
import type { ApiClient } from "./api-client.js";
import type { TokenSource } from "./volume-payload.js";

interface Cached {
  token: string;
  refreshAt: number;
}

/**
 * Service account tokens from the TokenRequest API, bound to the pod, refreshed after 80% of
 * their lifetime like the kubelet's token manager.
 */
export class TokenManager implements TokenSource {
  private readonly cache = new Map<string, Cached>();

  constructor(
    private readonly api: ApiClient,
    private readonly caPath: string,
  ) {}

  caCert(): Buffer {
    return readFileSync(this.caPath);
  }

  async token(pod: V1Pod, audience: string | undefined, expirationSeconds: number): Promise<string> {
    const ns = pod.metadata?.namespace ?? "default";
    const sa = pod.spec?.serviceAccountName || "default";
    const key = `${pod.metadata?.uid}/${sa}/${audience ?? ""}/${expirationSeconds}`;
    const hit = this.cache.get(key);
    if (hit && hit.refreshAt > Date.now()) return hit.token;
    const res = await this.api.request<{ status: { token: string; expirationTimestamp?: string } }>(
      "POST",
      `/api/v1/namespaces/${ns}/serviceaccounts/${sa}/token`,
      {
        apiVersion: "authentication.k8s.io/v1",
        kind: "TokenRequest",
        spec: {
          audiences: audience ? [audience] : [],
          expirationSeconds,
          boundObjectRef: { apiVersion: "v1", kind: "Pod", name: pod.metadata?.name, uid: pod.metadata?.uid },
        },
      },
    );
    const expires = res.status.expirationTimestamp
      ? Date.parse(res.status.expirationTimestamp)
      : Date.now() + expirationSeconds * 1000;
    const refreshAt = Date.now() + 0.8 * (expires - Date.now());
    this.cache.set(key, { token: res.status.token, refreshAt });
    return res.status.token;
  }

  forget(uid: string): void {
    for (const k of this.cache.keys()) if (k.startsWith(`${uid}/`)) this.cache.delete(k);
  }
}
