import type {
  V1ConfigMap,
  V1Container,
  V1PersistentVolume,
  V1PersistentVolumeClaim,
  V1Pod,
  V1Secret,
  V1Service,
} from "@kubernetes/client-node";
import { expand } from "./expansion.js";
import { fieldRefValue, resourceFieldValue, type PodRuntimeInfo } from "./field-ref.js";
import { serviceEnvVars } from "./service-env.js";

/** Where env and volumes read ConfigMaps and Secrets (the kubelet's managers). */
export interface ObjectSource {
  configMap(namespace: string, name: string): V1ConfigMap | undefined;
  secret(namespace: string, name: string): V1Secret | undefined;
  persistentVolumeClaim?(namespace: string, name: string): V1PersistentVolumeClaim | undefined;
  persistentVolume?(name: string): V1PersistentVolume | undefined;
}

/** A container whose configuration cannot be made yet (status reason CreateContainerConfigError). */
export class ContainerConfigError extends Error {}

function decode(b64: string): string {
  return Buffer.from(b64, "base64").toString("utf8");
}

/**
 * The environment of one container as a kubelet makes it (pkg/kubelet makeEnvironmentVariables):
 * envFrom first, then env in order with `$(VAR)` expansion, then the service variables that are not
 * already set.
 */
export function resolveEnv(
  pod: V1Pod,
  container: V1Container,
  info: PodRuntimeInfo,
  services: V1Service[],
  source: ObjectSource,
): Map<string, string> {
  const ns = pod.metadata?.namespace ?? "default";
  const env = new Map<string, string>();
  const serviceEnv = new Map(serviceEnvVars(services));

  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? "";
    if (from.configMapRef) {
      const cm = source.configMap(ns, from.configMapRef.name ?? "");
      if (!cm) {
        if (from.configMapRef.optional) continue;
        throw new ContainerConfigError(`configmap "${from.configMapRef.name}" not found`);
      }
      for (const [k, v] of Object.entries(cm.data ?? {})) env.set(prefix + k, v);
    }
    if (from.secretRef) {
      const s = source.secret(ns, from.secretRef.name ?? "");
      if (!s) {
        if (from.secretRef.optional) continue;
        throw new ContainerConfigError(`secret "${from.secretRef.name}" not found`);
      }
      for (const [k, v] of Object.entries(s.data ?? {})) env.set(prefix + k, decode(v));
    }
  }

  const lookup = (name: string) => env.get(name) ?? serviceEnv.get(name);
  for (const e of container.env ?? []) {
    let value = e.value ?? "";
    if (value) {
      value = expand(value, lookup);
    } else if (e.valueFrom) {
      const vf = e.valueFrom;
      if (vf.fieldRef) value = fieldRefValue(pod, vf.fieldRef.fieldPath, info);
      else if (vf.resourceFieldRef) {
        const c = vf.resourceFieldRef.containerName
          ? [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find(
              (x) => x.name === vf.resourceFieldRef?.containerName,
            )
          : container;
        value = resourceFieldValue(c, vf.resourceFieldRef.resource, vf.resourceFieldRef.divisor);
      } else if (vf.configMapKeyRef) {
        const ref = vf.configMapKeyRef;
        const cm = source.configMap(ns, ref.name ?? "");
        const v = cm?.data?.[ref.key];
        if (v === undefined) {
          if (ref.optional) continue;
          throw new ContainerConfigError(
            cm
              ? `couldn't find key ${ref.key} in ConfigMap ${ns}/${ref.name}`
              : `configmap "${ref.name}" not found`,
          );
        }
        value = v;
      } else if (vf.secretKeyRef) {
        const ref = vf.secretKeyRef;
        const s = source.secret(ns, ref.name ?? "");
        const v = s?.data?.[ref.key];
        if (v === undefined) {
          if (ref.optional) continue;
          throw new ContainerConfigError(
            s ? `couldn't find key ${ref.key} in Secret ${ns}/${ref.name}` : `secret "${ref.name}" not found`,
          );
        }
        value = decode(v);
      }
    }
    env.set(e.name, value);
  }
  for (const [k, v] of serviceEnv) if (!env.has(k)) env.set(k, v);
  return env;
}
