import * as z from "zod/mini";
import { TpError, type TpErrorCode } from "../errors.js";

/**
 * The version field `v` of a message handed over in an environment variable: absent (written
 * before messages had one) means 1, any other version is refused.
 */
export function versionField<V extends number>(version: V) {
  return z.optional(z.literal(version, `must be ${version} (written by another version of tp)`));
}

/** A versioned message's schema, whose parsed value leaves the (checked) `v` out. */
export function versioned<S extends z.ZodMiniType<{ v?: number }>>(schema: S) {
  return z.pipe(
    schema,
    z.transform(({ v: _v, ...rest }: z.output<S>) => rest as Omit<z.output<S>, "v">),
  );
}

/** `["expose", 0, "localPort"]` → `expose[0].localPort`. */
function issuePath(path: readonly PropertyKey[]): string {
  return path
    .map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join("");
}

/**
 * What is wrong, in the words of the sidecar config's messages ("must be ..."). zod/mini loads
 * no locale (its messages are all "Invalid input"), and loading zod's would grow every agent
 * bundle; a schema's own message (`error` param) is used as it is.
 */
function issueText(issue: z.core.$ZodIssue): string {
  if (issue.message !== "Invalid input") return issue.message;
  const bound = (kind: "least" | "most", n: number | bigint, origin: string, inclusive?: boolean) =>
    origin === "string" || origin === "array"
      ? `must have at ${kind} ${n} ${origin === "string" ? "character" : "item"}${n === 1 ? "" : "s"}`
      : `must be ${kind === "least" ? (inclusive ? "at least" : "more than") : inclusive ? "at most" : "less than"} ${n}`;
  switch (issue.code) {
    case "invalid_type":
      return `must be ${issue.expected === "int" ? "an integer" : /^[aeiou]/.test(issue.expected) ? `an ${issue.expected}` : `a ${issue.expected}`}${issue.input === undefined ? " (it is missing)" : ""}`;
    case "too_small":
      return bound("least", issue.minimum, issue.origin, issue.inclusive);
    case "too_big":
      return bound("most", issue.maximum, issue.origin, issue.inclusive);
    case "invalid_format":
      return "prefix" in issue
        ? `must start with "${String(issue.prefix)}"`
        : `must be a valid ${issue.format}`;
    case "invalid_value":
      return `must be ${issue.values.map((v) => JSON.stringify(v)).join(" or ")}`;
    case "invalid_union":
      return issue.discriminator !== undefined ? "is not a known kind" : "matches none of its forms";
    default:
      return "is not valid";
  }
}

/** One line for the first issue of a failed parse: where, then what is wrong. */
export function describeIssues(error: z.core.$ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "is not valid";
  if (issue.code === "unrecognized_keys")
    return `${issuePath([...issue.path, issue.keys[0] ?? ""])} is not a known field`;
  const where = issuePath(issue.path);
  return `${where ? `${where} ` : ""}${issueText(issue)}`;
}

/** A message that was read, or why it was refused. */
export type Read<T> = { message: T } | { refused: string; notJson?: true; cause?: unknown };

function check<S extends z.ZodMiniType>(schema: S, value: unknown): Read<z.output<S>> {
  const result = schema.safeParse(value, { reportInput: true });
  return result.success ? { message: result.data } : { refused: describeIssues(result.error) };
}

/**
 * One line of a stream of JSON messages (or any JSON text): the message, or why it is not one,
 * for readers that skip such a line rather than fail the whole stream.
 */
export function readJsonLine<S extends z.ZodMiniType>(schema: S, line: string): Read<z.output<S>> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (cause) {
    return { refused: "not JSON", notJson: true, cause };
  }
  return check(schema, value);
}

/**
 * Check a message that crossed a process boundary against its schema. A message that does not
 * fit is refused with a TpError naming `what` it was and the first field that is wrong.
 */
export function parseMessage<S extends z.ZodMiniType>(
  schema: S,
  value: unknown,
  what: string,
  code: TpErrorCode = "config",
): z.output<S> {
  const read = check(schema, value);
  if ("refused" in read) throw new TpError(code, `${what}: ${read.refused}`);
  return read.message;
}

/** {@link parseMessage} for JSON text; text that is not JSON is refused as `<what> is not valid JSON`. */
export function parseJsonMessage<S extends z.ZodMiniType>(
  schema: S,
  text: string,
  what: string,
  code: TpErrorCode = "config",
): z.output<S> {
  const read = readJsonLine(schema, text);
  if ("message" in read) return read.message;
  const message = read.notJson ? `${what} is not valid JSON` : `${what}: ${read.refused}`;
  throw new TpError(code, message, { cause: read.cause });
}
