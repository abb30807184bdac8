import { isMap, isScalar, LineCounter, parseDocument, type Document } from "yaml";

export type FieldPath = (string | number)[];

/** A project file's text, parsed with positions, so errors can say on which line a field is. */
export class FileLocator {
  private readonly lines = new LineCounter();
  readonly document: Document;

  constructor(text: string) {
    this.document = parseDocument(text, { lineCounter: this.lines, uniqueKeys: true });
  }

  /** The line of a field (of its key, when `key` names one inside the map at `path`). */
  line(path: FieldPath, key?: string): number | undefined {
    if (key !== undefined) return this.keyLine(path, key) ?? this.line(path);
    if (path.length === 0) return undefined;
    const last = path[path.length - 1];
    const parent = path.slice(0, -1);
    if (typeof last === "string") {
      const found = this.keyLine(parent, last);
      if (found) return found;
    }
    const range = (this.document.getIn(path, true) as { range?: [number, number, number] } | undefined)
      ?.range;
    if (range) return this.lines.linePos(range[0]).line;
    return this.line(parent);
  }

  private keyLine(path: FieldPath, key: string): number | undefined {
    const node = path.length === 0 ? this.document.contents : this.document.getIn(path, true);
    if (!isMap(node)) return undefined;
    const pair = node.items.find((p) => isScalar(p.key) && p.key.value === key);
    const range = isScalar(pair?.key) ? pair.key.range : undefined;
    return range ? this.lines.linePos(range[0]).line : undefined;
  }
}

/** services.web.ports[1] */
export function formatPath(path: FieldPath): string {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out === "" ? p : `.${p}`;
  return out;
}
