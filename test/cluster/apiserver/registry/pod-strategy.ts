import { isJsonObject, type JsonObject, type KubeObject } from "../../shared/kube-object.js";
import { forbidden, type FieldError } from "../http/api-error.js";
import { defaultPodResources, defaultPodSpec, qosClass } from "./pod-spec-defaults.js";
import { randomSuffix, isDns1123Label, dns1123LabelMessage } from "./names.js";
import type { Strategy, StrategyContext } from "./strategy.js";

const saMountPath = "/var/run/secrets/kubernetes.io/serviceaccount";

function spec(obj: KubeObject): JsonObject {
  if (!isJsonObject(obj.spec)) obj.spec = {};
  return obj.spec as JsonObject;
}

/** The ServiceAccount admission plugin: the account must exist; its token is mounted by a projected volume. */
function admitServiceAccount(pod: KubeObject, ctx: StrategyContext): void {
  const s = spec(pod);
  s.serviceAccountName ??= "default";
  s.serviceAccount = s.serviceAccountName;
  const ns = pod.metadata.namespace ?? "default";
  const sa = ctx.store.get("/serviceaccounts", ns, String(s.serviceAccountName));
  if (!sa) {
    throw forbidden(
      { group: "", resource: "pods" },
      pod.metadata.name ?? "",
      `error looking up service account ${ns}/${String(s.serviceAccountName)}: serviceaccount "${String(s.serviceAccountName)}" not found`,
    );
  }
  if (s.automountServiceAccountToken === false) return;
  if (s.automountServiceAccountToken === undefined && sa.automountServiceAccountToken === false) return;
  const containers = [
    ...(Array.isArray(s.containers) ? s.containers : []),
    ...(Array.isArray(s.initContainers) ? s.initContainers : []),
  ].filter(isJsonObject);
  const mounted = (c: JsonObject): boolean =>
    Array.isArray(c.volumeMounts) &&
    c.volumeMounts.some((m) => isJsonObject(m) && m.mountPath === saMountPath);
  if (containers.every(mounted)) return;
  const volumeName = `kube-api-access-${randomSuffix(5)}`;
  s.volumes = [
    ...(Array.isArray(s.volumes) ? s.volumes : []),
    {
      name: volumeName,
      projected: {
        defaultMode: 420,
        sources: [
          { serviceAccountToken: { expirationSeconds: 3607, path: "token" } },
          { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
          {
            downwardAPI: {
              items: [{ path: "namespace", fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } }],
            },
          },
        ],
      },
    },
  ];
  for (const c of containers) {
    if (mounted(c)) continue;
    c.volumeMounts = [
      ...(Array.isArray(c.volumeMounts) ? c.volumeMounts : []),
      { name: volumeName, readOnly: true, mountPath: saMountPath },
    ];
  }
}

function defaultTolerations(s: JsonObject): void {
  const tolerations = Array.isArray(s.tolerations) ? s.tolerations : [];
  for (const key of ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"]) {
    if (tolerations.some((t) => isJsonObject(t) && t.key === key)) continue;
    tolerations.push({ key, operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 });
  }
  s.tolerations = tolerations;
}

export function validatePodSpec(s: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const sp = isJsonObject(s) ? s : {};
  const cs = Array.isArray(sp.containers) ? sp.containers : [];
  if (cs.length === 0) errs.push({ type: "FieldValueRequired", field: `${path}.containers` });
  const names = new Set<string>();
  cs.forEach((c, i) => {
    const cc = isJsonObject(c) ? c : {};
    const name = typeof cc.name === "string" ? cc.name : "";
    if (!name) errs.push({ type: "FieldValueRequired", field: `${path}.containers[${i}].name` });
    else if (!isDns1123Label(name))
      errs.push({
        type: "FieldValueInvalid",
        field: `${path}.containers[${i}].name`,
        value: name,
        detail: dns1123LabelMessage,
      });
    else if (names.has(name))
      errs.push({ type: "FieldValueDuplicate", field: `${path}.containers[${i}].name`, value: name });
    names.add(name);
    if (!cc.image) errs.push({ type: "FieldValueRequired", field: `${path}.containers[${i}].image` });
  });
  const rp = sp.restartPolicy;
  if (rp !== undefined && !["Always", "OnFailure", "Never"].includes(String(rp)))
    errs.push({
      type: "FieldValueNotSupported",
      field: `${path}.restartPolicy`,
      value: rp,
      detail: 'supported values: "Always", "OnFailure", "Never"',
    });
  return errs;
}

function mutableView(s: unknown): unknown {
  const c = structuredClone(isJsonObject(s) ? s : {});
  for (const list of ["containers", "initContainers"]) {
    if (Array.isArray(c[list])) for (const x of c[list]) if (isJsonObject(x)) delete x.image;
  }
  delete c.activeDeadlineSeconds;
  delete c.tolerations;
  delete c.terminationGracePeriodSeconds;
  return c;
}

export const podStrategy: Strategy = {
  hasStatus: true,
  decodeDefaults(pod) {
    defaultPodResources(spec(pod));
  },
  prepareForCreate(pod, ctx) {
    const s = spec(pod);
    defaultPodSpec(s);
    admitServiceAccount(pod, ctx);
    defaultTolerations(s);
    s.priority ??= 0;
    s.preemptionPolicy ??= "PreemptLowerPriority";
    pod.status = { phase: "Pending", qosClass: qosClass(s) };
  },
  prepareForUpdate(pod, old) {
    const s = spec(pod);
    defaultPodSpec(s);
    const oldSpec = isJsonObject(old.spec) ? old.spec : {};
    if (oldSpec.nodeName !== undefined && s.nodeName === undefined) s.nodeName = oldSpec.nodeName;
  },
  validate(pod) {
    return validatePodSpec(pod.spec, "spec");
  },
  validateUpdate(pod, old) {
    if (JSON.stringify(mutableView(pod.spec)) === JSON.stringify(mutableView(old.spec))) return [];
    return [
      {
        type: "FieldValueForbidden",
        field: "spec",
        detail:
          "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
      },
    ];
  },
  gracePeriod(pod, options) {
    const s = isJsonObject(pod.spec) ? pod.spec : {};
    const st = isJsonObject(pod.status) ? pod.status : {};
    let grace =
      options.gracePeriodSeconds ??
      (typeof s.terminationGracePeriodSeconds === "number" ? s.terminationGracePeriodSeconds : 30);
    if (!s.nodeName) grace = 0;
    if (st.phase === "Succeeded" || st.phase === "Failed") grace = 0;
    return grace;
  },
};
