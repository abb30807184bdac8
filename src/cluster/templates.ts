import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

/** The folder of manifest shapes that tp fills in (readable by users in templates/). */
export const templatesDir = new URL("../../templates/", import.meta.url);

/** Replace ${key} in every string of a parsed manifest; a value that is a whole "${key}" keeps its type. */
export function fill<T>(node: T, values: Record<string, string | number>): T {
  if (typeof node === "string") {
    const whole = /^\$\{(\w+)\}$/.exec(node);
    if (whole?.[1] !== undefined && whole[1] in values) return values[whole[1]] as T;
    return node.replace(/\$\{(\w+)\}/g, (m, k: string) => (k in values ? String(values[k]) : m)) as T;
  }
  if (Array.isArray(node)) return node.map((n: unknown) => fill(n, values)) as T;
  if (node && typeof node === "object") {
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, fill(v, values)])) as T;
  }
  return node;
}

/** Load a template file: every YAML document in it, filled in. */
export function loadTemplate<T = unknown>(file: string, values: Record<string, string | number>): T[] {
  const text = readFileSync(new URL(file, templatesDir), "utf8");
  return parseAllDocuments(text).map((d) => fill(d.toJS() as T, values));
}
