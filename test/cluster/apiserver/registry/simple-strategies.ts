import { isJsonObject, type JsonObject } from "../../shared/kube-object.js";
import type { FieldError } from "../http/api-error.js";
import type { Strategy } from "./strategy.js";

export const namespaceStrategy: Strategy = {
  hasStatus: true,
  prepareForCreate(ns) {
    ns.metadata.labels = { ...ns.metadata.labels, "kubernetes.io/metadata.name": ns.metadata.name ?? "" };
    ns.spec = { finalizers: ["kubernetes"] };
    ns.status = { phase: "Active" };
  },
  prepareForUpdate(ns, old) {
    ns.metadata.labels = { ...ns.metadata.labels, "kubernetes.io/metadata.name": ns.metadata.name ?? "" };
    ns.spec = old.spec;
  },
};

function secretData(obj: JsonObject): void {
  const data = isJsonObject(obj.data) ? { ...obj.data } : {};
  if (isJsonObject(obj.stringData)) {
    for (const [k, v] of Object.entries(obj.stringData)) data[k] = Buffer.from(String(v)).toString("base64");
    delete obj.stringData;
  }
  if (Object.keys(data).length || obj.data !== undefined) obj.data = data;
}

function validateData(obj: JsonObject, field: string, base64: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const data = isJsonObject(obj[field]) ? obj[field] : {};
  for (const [k, v] of Object.entries(data)) {
    if (!/^[-._a-zA-Z0-9]+$/.test(k))
      errs.push({
        type: "FieldValueInvalid",
        field: `${field}[${k}]`,
        value: k,
        detail:
          "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
      });
    if (base64 && (typeof v !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(v)))
      errs.push({
        type: "FieldValueInvalid",
        field: `${field}[${k}]`,
        value: "<secret contents redacted>",
        detail: "illegal base64 data",
      });
  }
  return errs;
}

export const secretStrategy: Strategy = {
  prepareForCreate(s) {
    s.type ??= "Opaque";
    secretData(s);
  },
  prepareForUpdate(s, old) {
    s.type ??= old.type ?? "Opaque";
    secretData(s);
  },
  validate(s, _ctx, old) {
    const errs = validateData(s, "data", true);
    if (old && old.type !== s.type)
      errs.push({ type: "FieldValueInvalid", field: "type", value: s.type, detail: "field is immutable" });
    if (old?.immutable === true && JSON.stringify(old.data) !== JSON.stringify(s.data))
      errs.push({
        type: "FieldValueForbidden",
        field: "data",
        detail: "field is immutable when `immutable` is set",
      });
    return errs;
  },
};

export const configMapStrategy: Strategy = {
  validate(cm, _ctx, old) {
    const errs = validateData(cm, "data", false);
    if (old?.immutable === true && JSON.stringify(old.data) !== JSON.stringify(cm.data))
      errs.push({
        type: "FieldValueForbidden",
        field: "data",
        detail: "field is immutable when `immutable` is set",
      });
    return errs;
  },
};

export const nodeStrategy: Strategy = { hasStatus: true, allowCreateOnUpdate: false };
export const endpointsStrategy: Strategy = { allowCreateOnUpdate: true };
export const leaseStrategy: Strategy = {};
export const eventStrategy: Strategy = {};
export const defaultStrategy: Strategy = {};
