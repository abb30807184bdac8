import { badRequest, unsupportedMediaType } from "../http/api-error.js";
import {
  clusterRole,
  deleteOptions,
  role,
  roleBinding,
  selfSubjectAccessReview,
  selfSubjectReview,
  subjectAccessReview,
  tokenRequest,
  tokenReview,
} from "./meta-schemas.js";
import {
  configMap,
  deployment,
  hpaV1,
  limitRange,
  namespace,
  pod,
  resourceQuota,
  secret,
  service,
  serviceAccount,
} from "./core-schemas.js";
import type { FieldSpec, MessageSchema } from "./message-schema.js";
import { readFields, signed, type WireField } from "./wire-reader.js";

const magic = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

const schemas: Record<string, MessageSchema> = {
  Namespace: namespace,
  ConfigMap: configMap,
  Secret: secret,
  ServiceAccount: serviceAccount,
  Service: service,
  Pod: pod,
  Deployment: deployment,
  ResourceQuota: resourceQuota,
  LimitRange: limitRange,
  DeleteOptions: deleteOptions,
  TokenRequest: tokenRequest,
  TokenReview: tokenReview,
  SelfSubjectReview: selfSubjectReview,
  SelfSubjectAccessReview: selfSubjectAccessReview,
  SubjectAccessReview: subjectAccessReview,
  Role: role,
  ClusterRole: clusterRole,
  RoleBinding: roleBinding,
  ClusterRoleBinding: roleBinding,
  "autoscaling/v1/HorizontalPodAutoscaler": hpaV1,
};

function str(f: WireField): string {
  return (f.bytes ?? Buffer.alloc(0)).toString("utf8");
}

function mapEntry(f: WireField, valueType: string): [string, unknown] {
  let key = "";
  let value: unknown = valueType === "string" ? "" : valueType === "bytes" ? "" : undefined;
  for (const e of readFields(f.bytes ?? Buffer.alloc(0))) {
    if (e.field === 1) key = str(e);
    if (e.field === 2) value = scalar(e, valueType);
  }
  return [key, value];
}

function scalar(f: WireField, type: string): unknown {
  switch (type) {
    case "string":
      return str(f);
    case "bytes":
      return (f.bytes ?? Buffer.alloc(0)).toString("base64");
    case "int":
      return signed(f.num ?? 0n);
    case "bool":
      return (f.num ?? 0n) !== 0n;
    case "quantity":
      return str(
        readFields(f.bytes ?? Buffer.alloc(0)).find((x) => x.field === 1) ?? { field: 1, wireType: 2 },
      );
    case "intstr": {
      const parts = readFields(f.bytes ?? Buffer.alloc(0));
      const isString = parts.find((x) => x.field === 1)?.num === 1n;
      const v = parts.find((x) => x.field === (isString ? 3 : 2));
      return isString ? (v ? str(v) : "") : v ? signed(v.num ?? 0n) : 0;
    }
    default:
      throw new Error(`unknown protobuf field type ${type}`);
  }
}

function isZero(v: unknown): boolean {
  if (v === "" || v === 0 || v === false || v === undefined || v === null) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === "object") return Object.keys(v).length === 0;
  return false;
}

/** A message as JSON, dropping zero values the way omitempty JSON would leave them out. */
export function decodeMessage(buf: Buffer, schema: MessageSchema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const keep = new Set<string>();
  for (const f of readFields(buf)) {
    const spec: FieldSpec | undefined = schema[f.field];
    if (!spec) continue;
    const [name, type, flags = ""] = spec;
    if (flags.includes("!")) keep.add(name);
    let value: unknown;
    if (typeof type === "object") value = decodeMessage(f.bytes ?? Buffer.alloc(0), type);
    else if (type === "map" || type === "bytesmap" || type === "quantitymap") {
      const [k, v] = mapEntry(f, type === "map" ? "string" : type === "bytesmap" ? "bytes" : "quantity");
      const m = (out[name] ??= {}) as Record<string, unknown>;
      m[k] = v;
      continue;
    } else value = scalar(f, type);
    if (name === "" && typeof value === "object") {
      Object.assign(out, value);
      continue;
    }
    if (flags.includes("[]")) ((out[name] ??= []) as unknown[]).push(value);
    else out[name] = value;
  }
  for (const [k, v] of Object.entries(out))
    if (
      !keep.has(k) &&
      isZero(v) &&
      !(typeof v === "object" && v !== null && !Array.isArray(v) && k === "emptyDir")
    )
      delete out[k];
  return out;
}

/** A body in application/vnd.kubernetes.protobuf (the runtime.Unknown envelope) as JSON. */
export function decodeKubernetesProtobuf(body: Buffer): Record<string, unknown> {
  if (body.length < 4 || !body.subarray(0, 4).equals(magic))
    throw badRequest("the body of the request was not in protobuf format");
  let apiVersion = "";
  let kind = "";
  let raw: Buffer = Buffer.alloc(0);
  for (const f of readFields(body.subarray(4))) {
    if (f.field === 1) {
      for (const t of readFields(f.bytes ?? Buffer.alloc(0))) {
        if (t.field === 1) apiVersion = str(t);
        if (t.field === 2) kind = str(t);
      }
    }
    if (f.field === 2) raw = f.bytes ?? raw;
  }
  const schema = schemas[`${apiVersion}/${kind}`] ?? schemas[kind];
  if (!schema) throw unsupportedMediaType("application/vnd.kubernetes.protobuf");
  const obj = decodeMessage(raw, schema);
  return { apiVersion, kind, ...obj, metadata: (obj.metadata as object | undefined) ?? {} };
}
