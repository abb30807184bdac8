import type { V1ConfigMap, V1Container, V1Pod, V1Secret, V1Service } from "@kubernetes/client-node";
import { expandEnvValue } from "./env-expansion.js";
import { fieldRefValue, NotKnownAhead, resourceFieldValue, type PodStatusValues } from "./downward-env.js";
import { serviceVariables } from "./service-env.js";

/** What a container's env reads besides the pod: the objects the kubelet would read. */
export interface EnvSources {
  configMaps: Map<string, V1ConfigMap | undefined>;
  secrets: Map<string, V1Secret | undefined>;
  /** The Services whose variables the pod gets (see servicesForPod). */
  services: V1Service[];
}

/**
 * A variable name every kubelet accepts from envFrom. Kubelets before relaxed env validation
 * skipped other keys, newer ones keep them: a key outside this form cannot be known ahead.
 */
const strictName = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

function decode(b64: string): string {
  return Buffer.from(b64, "base64").toString("utf8");
}

function missing(kind: string, name: string, key?: string): NotKnownAhead {
  // The kubelet does not start such a container (CreateContainerConfigError): the pod says why.
  return new NotKnownAhead("node", `${kind} ${name}${key ? ` key ${key}` : ""}, which does not exist,`);
}

/**
 * A container's environment as the kubelet makes it (pkg/kubelet makeEnvironmentVariables):
 * envFrom in order (prefix added), then env in order (`$(VAR)` expanded against what is set so
 * far and the service variables; valueFrom resolved; an optional reference that is missing leaves
 * the variable out), then the service variables not set otherwise. Throws NotKnownAhead for a
 * value that depends on the pod's status (pass `status` once it runs) or on its node.
 */
export function containerEnv(
  pod: V1Pod,
  container: V1Container,
  sources: EnvSources,
  status?: PodStatusValues,
): Map<string, string> {
  const env = new Map<string, string>();
  const serviceEnv = serviceVariables(sources.services);
  const setAll = (data: Record<string, string> | undefined, prefix: string, value: (v: string) => string) => {
    for (const [k, v] of Object.entries(data ?? {})) {
      if (!strictName.test(prefix + k))
        throw new NotKnownAhead("node", `envFrom key ${JSON.stringify(prefix + k)}`);
      env.set(prefix + k, value(v));
    }
  };
  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? "";
    if (from.configMapRef) {
      const ref = from.configMapRef;
      const found = sources.configMaps.get(ref.name ?? "");
      if (!found && !ref.optional) throw missing("ConfigMap", ref.name ?? "");
      setAll(found?.data, prefix, (v) => v);
    } else if (from.secretRef) {
      const ref = from.secretRef;
      const found = sources.secrets.get(ref.name ?? "");
      if (!found && !ref.optional) throw missing("Secret", ref.name ?? "");
      setAll(found?.data, prefix, decode);
    }
  }
  const lookup = (name: string) => env.get(name) ?? serviceEnv.get(name);
  for (const e of container.env ?? []) {
    const from = e.valueFrom;
    let value: string | undefined = e.value ?? "";
    if (value !== "") value = expandEnvValue(value, lookup);
    else if (from?.fieldRef) value = fieldRefValue(pod, from.fieldRef.fieldPath, status);
    else if (from?.resourceFieldRef) value = resourceFieldValue(pod, container, from.resourceFieldRef);
    else if (from?.configMapKeyRef) {
      const ref = from.configMapKeyRef;
      const found = sources.configMaps.get(ref.name ?? "");
      value = found?.data?.[ref.key];
      if (value === undefined && !ref.optional) throw missing("ConfigMap", ref.name ?? "", ref.key);
    } else if (from?.secretKeyRef) {
      const ref = from.secretKeyRef;
      const data = sources.secrets.get(ref.name ?? "")?.data?.[ref.key];
      if (data === undefined && !ref.optional) throw missing("Secret", ref.name ?? "", ref.key);
      value = data === undefined ? undefined : decode(data);
    } else if (from) throw new NotKnownAhead("node", `the source of ${e.name}`);
    if (value !== undefined) env.set(e.name, value);
  }
  for (const [k, v] of serviceEnv) if (!env.has(k)) env.set(k, v);
  return env;
}

/** The ConfigMaps and Secrets a container's env reads, by name. */
export function referencedObjects(container: V1Container): { configMaps: string[]; secrets: string[] } {
  const configMaps = new Set<string>();
  const secrets = new Set<string>();
  for (const from of container.envFrom ?? []) {
    if (from.configMapRef) configMaps.add(from.configMapRef.name ?? "");
    if (from.secretRef) secrets.add(from.secretRef.name ?? "");
  }
  for (const e of container.env ?? []) {
    if (e.valueFrom?.configMapKeyRef) configMaps.add(e.valueFrom.configMapKeyRef.name ?? "");
    if (e.valueFrom?.secretKeyRef) secrets.add(e.valueFrom.secretKeyRef.name ?? "");
  }
  return { configMaps: [...configMaps], secrets: [...secrets] };
}
