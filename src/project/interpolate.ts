import type { FieldPath } from "./file-locator.js";

export class InterpolationError extends Error {
  constructor(
    readonly path: FieldPath,
    message: string,
  ) {
    super(message);
  }
}

const pattern =
  /\$(?:\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])((?:[^{}]|\{[^{}]*\})*))?\}|([A-Za-z_][A-Za-z0-9_]*)|(\{[^}]*\}?))/g;

/** Compose variable substitution in one string: $VAR, ${VAR}, ${VAR:-default}, ${VAR:?error}, $$. */
export function interpolateString(
  text: string,
  vars: Record<string, string | undefined>,
  path: FieldPath,
): string {
  return text.replace(
    pattern,
    (
      match,
      braced: string | undefined,
      op: string | undefined,
      arg: string | undefined,
      bare: string | undefined,
      bad: string | undefined,
    ) => {
      if (match === "$$") return "$";
      if (bad !== undefined) throw new InterpolationError(path, `invalid interpolation format "${match}"`);
      const name = (braced ?? bare) as string;
      const value = vars[name];
      const set = value !== undefined;
      const nonEmpty = set && value !== "";
      const sub = () => interpolateString(arg ?? "", vars, path);
      switch (op) {
        case ":-":
          return nonEmpty ? value : sub();
        case "-":
          return set ? value : sub();
        case ":?":
          if (!nonEmpty)
            throw new InterpolationError(path, `required variable ${name} is missing a value: ${sub()}`);
          return value;
        case "?":
          if (!set)
            throw new InterpolationError(path, `required variable ${name} is missing a value: ${sub()}`);
          return value;
        case ":+":
          return nonEmpty ? sub() : "";
        case "+":
          return set ? sub() : "";
        default:
          return value ?? "";
      }
    },
  );
}

/** Substitute variables in every string value (not in keys) of a parsed file. */
export function interpolate(
  node: unknown,
  vars: Record<string, string | undefined>,
  path: FieldPath = [],
): unknown {
  if (typeof node === "string") return interpolateString(node, vars, path);
  if (Array.isArray(node)) return node.map((n, i) => interpolate(n, vars, [...path, i]));
  if (node && typeof node === "object")
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, interpolate(v, vars, [...path, k])]));
  return node;
}
