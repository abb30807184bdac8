import { isJsonObject, type JsonObject, type KubeObject } from "../../shared/kube-object.js";
import type { FieldError } from "../http/api-error.js";
import { matchesSelector, type LabelSelectorObject } from "../selectors/label-selector.js";
import { defaultPodSpec } from "./pod-spec-defaults.js";
import { validatePodSpec } from "./pod-strategy.js";
import type { Strategy } from "./strategy.js";

function spec(obj: KubeObject): JsonObject {
  if (!isJsonObject(obj.spec)) obj.spec = {};
  return obj.spec as JsonObject;
}

export function defaultTemplate(s: JsonObject): void {
  if (!isJsonObject(s.template)) return;
  const t = s.template;
  if (!isJsonObject(t.spec)) t.spec = {};
  defaultPodSpec(t.spec as JsonObject);
}

function validateSelector(s: JsonObject): FieldError[] {
  const sel = isJsonObject(s.selector) ? (s.selector as LabelSelectorObject) : undefined;
  const errs: FieldError[] = [];
  if (!sel || (!Object.keys(sel.matchLabels ?? {}).length && !(sel.matchExpressions ?? []).length)) {
    errs.push({ type: "FieldValueRequired", field: "spec.selector" });
    errs.push({
      type: "FieldValueInvalid",
      field: "spec.template.metadata.labels",
      value: "",
      detail: "`selector` does not match template `labels`",
    });
    return errs;
  }
  const t = isJsonObject(s.template) ? s.template : {};
  const labels = isJsonObject(t.metadata)
    ? (t.metadata.labels as Record<string, string> | undefined)
    : undefined;
  if (!matchesSelector(sel, labels))
    errs.push({
      type: "FieldValueInvalid",
      field: "spec.template.metadata.labels",
      value: labels ?? {},
      detail: "`selector` does not match template `labels`",
    });
  return errs;
}

export function validateWorkload(obj: KubeObject, old?: KubeObject): FieldError[] {
  const s = spec(obj);
  const errs = validateSelector(s);
  const t = isJsonObject(s.template) ? s.template : {};
  errs.push(...validatePodSpec(t.spec, "spec.template.spec"));
  if (typeof s.replicas === "number" && s.replicas < 0)
    errs.push({
      type: "FieldValueInvalid",
      field: "spec.replicas",
      value: s.replicas,
      detail: "must be greater than or equal to 0",
    });
  if (old && JSON.stringify((old.spec as JsonObject | undefined)?.selector) !== JSON.stringify(s.selector))
    errs.push({
      type: "FieldValueInvalid",
      field: "spec.selector",
      value: s.selector,
      detail: "field is immutable",
    });
  return errs;
}

export const deploymentStrategy: Strategy = {
  tracksGeneration: true,
  hasStatus: true,
  prepareForCreate(d) {
    const s = spec(d);
    s.replicas ??= 1;
    s.revisionHistoryLimit ??= 10;
    s.progressDeadlineSeconds ??= 600;
    if (!isJsonObject(s.strategy)) s.strategy = {};
    const st = s.strategy as JsonObject;
    st.type ??= "RollingUpdate";
    if (st.type === "RollingUpdate") {
      if (!isJsonObject(st.rollingUpdate)) st.rollingUpdate = {};
      const ru = st.rollingUpdate as JsonObject;
      ru.maxUnavailable ??= "25%";
      ru.maxSurge ??= "25%";
    }
    defaultTemplate(s);
    d.status = {};
  },
  prepareForUpdate(d) {
    const s = spec(d);
    s.replicas ??= 1;
    s.revisionHistoryLimit ??= 10;
    s.progressDeadlineSeconds ??= 600;
    if (!isJsonObject(s.strategy)) s.strategy = { type: "RollingUpdate" };
    const st = s.strategy as JsonObject;
    st.type ??= "RollingUpdate";
    if (st.type === "RollingUpdate") {
      if (!isJsonObject(st.rollingUpdate)) st.rollingUpdate = {};
      const ru = st.rollingUpdate as JsonObject;
      ru.maxUnavailable ??= "25%";
      ru.maxSurge ??= "25%";
    } else delete st.rollingUpdate;
    defaultTemplate(s);
  },
  validate: (d, _ctx, old) => validateWorkload(d, old),
};

export const replicaSetStrategy: Strategy = {
  tracksGeneration: true,
  hasStatus: true,
  prepareForCreate(rs) {
    const s = spec(rs);
    s.replicas ??= 1;
    defaultTemplate(s);
    rs.status = { replicas: 0 };
  },
  prepareForUpdate(rs) {
    const s = spec(rs);
    s.replicas ??= 1;
    defaultTemplate(s);
  },
  validate: (rs, _ctx, old) => validateWorkload(rs, old),
};

export const hpaStrategy: Strategy = { tracksGeneration: true, hasStatus: true };
