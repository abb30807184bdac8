import type {
  V1ConfigMap,
  V1DownwardAPIVolumeFile,
  V1KeyToPath,
  V1Pod,
  V1Secret,
  V1Volume,
} from "@kubernetes/client-node";
import type { FileProjection } from "./atomic-writer.js";
import { fieldRefValue, resourceFieldValue, type PodRuntimeInfo } from "./field-ref.js";
import type { ObjectSource } from "./env-resolver.js";

/** A volume that cannot be set up yet (a FailedMount event on a real node). */
export class MountError extends Error {}

/** What projected service account tokens need. */
export interface TokenSource {
  token(pod: V1Pod, audience: string | undefined, expirationSeconds: number): Promise<string>;
  caCert(): Buffer;
}

type Payload = Map<string, FileProjection>;

function fromKeys(
  data: Map<string, Buffer>,
  items: V1KeyToPath[] | undefined,
  mode: number,
  what: string,
  optional: boolean,
  out: Payload,
): void {
  if (!items?.length) {
    for (const [k, v] of data) out.set(k, { data: v, mode });
    return;
  }
  for (const item of items) {
    const v = data.get(item.key);
    if (v === undefined) {
      if (optional) continue;
      throw new MountError(`configuration error: key "${item.key}" not found in ${what}`);
    }
    out.set(item.path, { data: v, mode: item.mode ?? mode });
  }
}

function configMapData(cm: V1ConfigMap): Map<string, Buffer> {
  const m = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(cm.data ?? {})) m.set(k, Buffer.from(v));
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) m.set(k, Buffer.from(v, "base64"));
  return m;
}

function secretData(s: V1Secret): Map<string, Buffer> {
  const m = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(s.data ?? {})) m.set(k, Buffer.from(v, "base64"));
  for (const [k, v] of Object.entries(s.stringData ?? {})) m.set(k, Buffer.from(v));
  return m;
}

function downward(
  pod: V1Pod,
  items: V1DownwardAPIVolumeFile[],
  mode: number,
  info: PodRuntimeInfo,
  out: Payload,
) {
  for (const item of items) {
    let value = "";
    if (item.fieldRef) value = fieldRefValue(pod, item.fieldRef.fieldPath, info);
    else if (item.resourceFieldRef) {
      const c = pod.spec?.containers.find((x) => x.name === item.resourceFieldRef?.containerName);
      value = resourceFieldValue(c, item.resourceFieldRef.resource, item.resourceFieldRef.divisor);
    }
    out.set(item.path, { data: Buffer.from(value), mode: item.mode ?? mode });
  }
}

/** The files of an API data volume (configMap, secret, downwardAPI, projected), or undefined for others. */
export async function volumePayload(
  pod: V1Pod,
  vol: V1Volume,
  info: PodRuntimeInfo,
  source: ObjectSource,
  tokens: TokenSource,
): Promise<Payload | undefined> {
  const ns = pod.metadata?.namespace ?? "default";
  const out: Payload = new Map();
  if (vol.configMap) {
    const c = vol.configMap;
    const cm = source.configMap(ns, c.name ?? "");
    if (!cm) {
      if (c.optional) return out;
      throw new MountError(`configmap "${c.name}" not found`);
    }
    fromKeys(
      configMapData(cm),
      c.items,
      c.defaultMode ?? 0o644,
      `ConfigMap ${ns}/${c.name}`,
      !!c.optional,
      out,
    );
    return out;
  }
  if (vol.secret) {
    const c = vol.secret;
    const s = source.secret(ns, c.secretName ?? "");
    if (!s) {
      if (c.optional) return out;
      throw new MountError(`secret "${c.secretName}" not found`);
    }
    fromKeys(
      secretData(s),
      c.items,
      c.defaultMode ?? 0o644,
      `Secret ${ns}/${c.secretName}`,
      !!c.optional,
      out,
    );
    return out;
  }
  if (vol.downwardAPI) {
    downward(pod, vol.downwardAPI.items ?? [], vol.downwardAPI.defaultMode ?? 0o644, info, out);
    return out;
  }
  if (vol.projected) {
    const mode = vol.projected.defaultMode ?? 0o644;
    for (const src of vol.projected.sources ?? []) {
      if (src.configMap) {
        const c = src.configMap;
        const cm = source.configMap(ns, c.name ?? "");
        if (!cm) {
          if (c.optional) continue;
          throw new MountError(`configmap "${c.name}" not found`);
        }
        fromKeys(configMapData(cm), c.items, mode, `ConfigMap ${ns}/${c.name}`, !!c.optional, out);
      } else if (src.secret) {
        const c = src.secret;
        const s = source.secret(ns, c.name ?? "");
        if (!s) {
          if (c.optional) continue;
          throw new MountError(`secret "${c.name}" not found`);
        }
        fromKeys(secretData(s), c.items, mode, `Secret ${ns}/${c.name}`, !!c.optional, out);
      } else if (src.downwardAPI) {
        downward(pod, src.downwardAPI.items ?? [], mode, info, out);
      } else if (src.serviceAccountToken) {
        const t = src.serviceAccountToken;
        const token = await tokens.token(pod, t.audience, t.expirationSeconds ?? 3600);
        out.set(t.path, { data: Buffer.from(token), mode });
      }
    }
    return out;
  }
  return undefined;
}
