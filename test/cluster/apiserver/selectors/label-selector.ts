import { badRequest } from "../http/api-error.js";

export type Requirement =
  | { key: string; op: "=" | "!="; value: string }
  | { key: string; op: "in" | "notin"; values: string[] }
  | { key: string; op: "exists" | "!" }
  | { key: string; op: "gt" | "lt"; value: number };

export type Labels = Record<string, string> | undefined;

/** A parsed label selector string (k8s.io/apimachinery/pkg/labels.Parse). */
export function parseLabelSelector(text: string): Requirement[] {
  const reqs: Requirement[] = [];
  let i = 0;
  const s = text;
  const skipWs = (): void => {
    while (i < s.length && /\s/.test(s[i]!)) i++;
  };
  const ident = (): string => {
    skipWs();
    const m = /^[A-Za-z0-9._\-/]+/.exec(s.slice(i));
    if (!m)
      throw badRequest(`unable to parse requirement: found '${s.slice(i, i + 1)}', expected: identifier`);
    i += m[0].length;
    return m[0];
  };
  const value = (): string => {
    skipWs();
    const m = /^[A-Za-z0-9._-]*/.exec(s.slice(i));
    i += m![0].length;
    return m![0];
  };
  while (true) {
    skipWs();
    if (i >= s.length) break;
    if (s[i] === "!") {
      i++;
      reqs.push({ key: ident(), op: "!" });
    } else {
      const key = ident();
      skipWs();
      const rest = s.slice(i);
      if (rest.startsWith("==") || rest.startsWith("!=")) {
        i += 2;
        reqs.push({ key, op: rest.startsWith("!=") ? "!=" : "=", value: value() });
      } else if (rest.startsWith("=")) {
        i += 1;
        reqs.push({ key, op: "=", value: value() });
      } else if (rest.startsWith(">") || rest.startsWith("<")) {
        i += 1;
        const v = Number(value());
        if (!Number.isInteger(v))
          throw badRequest(
            `unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer`,
          );
        reqs.push({ key, op: rest.startsWith(">") ? "gt" : "lt", value: v });
      } else if (/^(in|notin)\s*\(/.test(rest)) {
        const op = rest.startsWith("in") ? "in" : "notin";
        i += op.length;
        skipWs();
        i++; // (
        const values: string[] = [];
        while (true) {
          values.push(value());
          skipWs();
          if (s[i] === ",") {
            i++;
            continue;
          }
          if (s[i] === ")") {
            i++;
            break;
          }
          throw badRequest(`unable to parse requirement: found '${s[i] ?? ""}', expected: ',', ')'`);
        }
        reqs.push({ key, op, values: values.filter((v) => v !== "" || values.length === 1) });
      } else {
        reqs.push({ key, op: "exists" });
      }
    }
    skipWs();
    if (i < s.length) {
      if (s[i] !== ",") throw badRequest(`unable to parse requirement: found '${s[i]}', expected: ','`);
      i++;
    }
  }
  return reqs;
}

export function matchesRequirements(reqs: Requirement[], labels: Labels): boolean {
  const l = labels ?? {};
  return reqs.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    const v = l[r.key];
    switch (r.op) {
      case "=":
        return has && v === r.value;
      case "!=":
        return !has || v !== r.value;
      case "in":
        return has && r.values.includes(v!);
      case "notin":
        return !has || !r.values.includes(v!);
      case "exists":
        return has;
      case "!":
        return !has;
      case "gt":
        return has && Number(v) > r.value;
      case "lt":
        return has && Number(v) < r.value;
    }
  });
}

export interface LabelSelectorObject {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** metav1.LabelSelectorAsSelector: an empty selector matches everything. */
export function selectorRequirements(sel: LabelSelectorObject | undefined): Requirement[] {
  const reqs: Requirement[] = [];
  for (const [key, value] of Object.entries(sel?.matchLabels ?? {})) reqs.push({ key, op: "=", value });
  for (const e of sel?.matchExpressions ?? []) {
    const op = e.operator;
    if (op === "In") reqs.push({ key: e.key, op: "in", values: e.values ?? [] });
    else if (op === "NotIn") reqs.push({ key: e.key, op: "notin", values: e.values ?? [] });
    else if (op === "Exists") reqs.push({ key: e.key, op: "exists" });
    else if (op === "DoesNotExist") reqs.push({ key: e.key, op: "!" });
  }
  return reqs;
}

export function matchesSelector(sel: LabelSelectorObject | undefined, labels: Labels): boolean {
  return matchesRequirements(selectorRequirements(sel), labels);
}

/** A Service's map selector: nil or empty selects nothing there (handled by callers). */
export function matchesMap(sel: Record<string, string>, labels: Labels): boolean {
  return Object.entries(sel).every(([k, v]) => labels?.[k] === v);
}

/** The string form kubectl and Scale.status.selector use. */
export function selectorString(sel: LabelSelectorObject | undefined): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(sel?.matchLabels ?? {}).sort()) parts.push(`${k}=${v}`);
  for (const e of sel?.matchExpressions ?? []) {
    if (e.operator === "In") parts.push(`${e.key} in (${(e.values ?? []).join(",")})`);
    else if (e.operator === "NotIn") parts.push(`${e.key} notin (${(e.values ?? []).join(",")})`);
    else if (e.operator === "Exists") parts.push(e.key);
    else if (e.operator === "DoesNotExist") parts.push(`!${e.key}`);
  }
  return parts.join(",");
}
