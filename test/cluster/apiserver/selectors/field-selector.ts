import { valueAt, type KubeObject } from "../../shared/kube-object.js";
import { badRequest } from "../http/api-error.js";

export interface FieldRequirement {
  field: string;
  op: "=" | "!=";
  value: string;
}

/** fields.ParseSelector: `a=b,c!=d,e==f`, with backslash escapes. */
export function parseFieldSelector(text: string, allowed: string[]): FieldRequirement[] {
  const out: FieldRequirement[] = [];
  if (!text.trim()) return out;
  for (const part of text.split(/(?<!\\),/)) {
    const m = /^\s*([^=!\s]+)\s*(==|!=|=)\s*(.*?)\s*$/.exec(part);
    if (!m) throw badRequest(`invalid selector: '${text}'; can't understand '${part}'`);
    const field = m[1]!;
    if (!allowed.includes(field)) throw badRequest(`field label not supported: ${field}`);
    out.push({ field, op: m[2] === "!=" ? "!=" : "=", value: m[3]!.replace(/\\(.)/g, "$1") });
  }
  return out;
}

function fieldValue(obj: KubeObject, field: string): string {
  const v = valueAt(obj, field);
  if (v === undefined || v === null)
    return field === "spec.hostNetwork" || field === "spec.unschedulable" ? "false" : "";
  return String(v);
}

export function matchesFields(reqs: FieldRequirement[], obj: KubeObject): boolean {
  return reqs.every((r) => (fieldValue(obj, r.field) === r.value) === (r.op === "="));
}
