import { isJsonObject } from "../../shared/kube-object.js";

/** An RFC 6902 operation failed; the API server answers 422 (or 500 for test failures). */
export class JsonPatchError extends Error {}

interface Operation {
  op: string;
  path: string;
  value?: unknown;
  from?: string;
}

function parsePointer(p: string): string[] {
  if (p === "") return [];
  if (!p.startsWith("/")) throw new JsonPatchError(`invalid JSON pointer ${JSON.stringify(p)}`);
  return p
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

type Container = Record<string, unknown> | unknown[];

function parentOf(doc: unknown, path: string[]): { parent: Container; key: string } {
  let cur: unknown = doc;
  for (const part of path.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(part)];
    else if (isJsonObject(cur)) cur = cur[part];
    else cur = undefined;
    if (cur === undefined) throw new JsonPatchError(`doc is missing path: ${"/" + path.join("/")}`);
  }
  if (!Array.isArray(cur) && !isJsonObject(cur))
    throw new JsonPatchError(`doc is missing path: /${path.join("/")}`);
  return { parent: cur, key: path[path.length - 1]! };
}

function get(doc: unknown, path: string[]): unknown {
  let cur: unknown = doc;
  for (const part of path) {
    if (Array.isArray(cur)) cur = cur[Number(part)];
    else if (isJsonObject(cur)) cur = cur[part];
    else cur = undefined;
    if (cur === undefined) throw new JsonPatchError(`doc is missing path: /${path.join("/")}`);
  }
  return cur;
}

function arrayIndex(arr: unknown[], key: string, forAdd: boolean): number {
  if (forAdd && key === "-") return arr.length;
  const i = Number(key);
  if (!/^\d+$/.test(key) || i > arr.length || (!forAdd && i >= arr.length))
    throw new JsonPatchError(`Unable to access invalid index: ${key}`);
  return i;
}

function add(doc: unknown, path: string[], value: unknown): unknown {
  if (path.length === 0) return structuredClone(value);
  const { parent, key } = parentOf(doc, path);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, true), 0, structuredClone(value));
  else parent[key] = structuredClone(value);
  return doc;
}

function remove(doc: unknown, path: string[]): unknown {
  const { parent, key } = parentOf(doc, path);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, false), 1);
  else {
    if (!(key in parent)) throw new JsonPatchError(`Unable to remove nonexistent key: ${key}: missing value`);
    delete parent[key];
  }
  return doc;
}

function equal(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function applyJsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw new JsonPatchError("json patch must be an array of operations");
  let doc = structuredClone(target);
  for (const raw of ops as Operation[]) {
    const path = parsePointer(raw.path);
    switch (raw.op) {
      case "add":
        doc = add(doc, path, raw.value);
        break;
      case "remove":
        doc = remove(doc, path);
        break;
      case "replace":
        get(doc, path);
        doc = remove(doc, path);
        doc = add(doc, path, raw.value);
        break;
      case "move": {
        const from = parsePointer(raw.from ?? "");
        const v = get(doc, from);
        doc = remove(doc, from);
        doc = add(doc, path, v);
        break;
      }
      case "copy":
        doc = add(doc, path, get(doc, parsePointer(raw.from ?? "")));
        break;
      case "test":
        if (!equal(get(doc, path), raw.value))
          throw new JsonPatchError("testing value /" + path.join("/") + " failed: test failed");
        break;
      default:
        throw new JsonPatchError(`Unexpected kind: ${raw.op}`);
    }
  }
  return doc;
}
