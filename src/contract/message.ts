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

/** One line for the first issue of a failed parse: where, then what is wrong. */
export function describeIssues(error: z.core.$ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "is not valid";
  const where = issuePath(issue.path);
  const what =
    issue.code === "unrecognized_keys"
      ? `${issuePath([...issue.path, issue.keys[0] ?? ""])} is not a known field`
      : `${where ? `${where} ` : ""}${issue.message}`;
  return what;
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
  const result = schema.safeParse(value);
  if (!result.success) throw new TpError(code, `${what}: ${describeIssues(result.error)}`);
  return result.data;
}

/** {@link parseMessage} for JSON text; text that is not JSON is refused as `<what> is not valid JSON`. */
export function parseJsonMessage<S extends z.ZodMiniType>(
  schema: S,
  text: string,
  what: string,
  code: TpErrorCode = "config",
): z.output<S> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new TpError(code, `${what} is not valid JSON`, { cause: err });
  }
  return parseMessage(schema, value, what, code);
}

/**
 * One line of a stream of JSON messages: the message, or why the line is not one (for readers
 * that skip such a line rather than fail the whole stream).
 */
export function readJsonLine<S extends z.ZodMiniType>(
  schema: S,
  line: string,
): { message: z.output<S> } | { refused: string } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { refused: "not JSON" };
  }
  const result = schema.safeParse(value);
  return result.success ? { message: result.data } : { refused: describeIssues(result.error) };
}
