import * as z from "zod/mini";
import {
  parseJsonMessage,
  parseMessage,
  readJsonLine,
  versionField,
  versioned,
  type Read,
} from "./message.js";
import { TpError, type TpErrorCode } from "../errors.js";

/**
 * The env var that tells a session's proxy agent to register with the intercept's router
 * (JSON, {@link RouterRegistration}). Absent: the proxy registers nowhere (a swap, not an intercept).
 */
export const routerRegistrationEnv = "TP_ROUTER_REGISTRATION";
export const routerRegistrationVersion = 1;
/**
 * The proxy pod's own IP (Downward API `status.podIP`): where the router sends matching traffic.
 * Without it the proxy takes the first non-loopback IPv4 address of its interfaces.
 */
export const podIpEnv = "TP_POD_IP";
/** A control line longer than this is refused (and its connection closed). */
export const maxControlLineBytes = 64 * 1024;

const name = z.string("must be a string").check(z.minLength(1));
const notAPort = "must be a port number (1-65535)";
const port = z.int({ error: notAPort }).check(z.minimum(1, notAPort), z.maximum(65535, notAPort));
const isHeaderName = (t: string) => /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(t);

/**
 * Which requests a session takes: all the headers (names in any case, values exact) and the
 * path prefix. No header and no prefix: every connection of every port.
 */
const interceptFilter = z.pipe(
  z.object(
    {
      headers: z._default(
        z.record(z.string(), z.string("must be a string"), "must be an object").check(
          z.superRefine((headers, ctx) => {
            const bad = Object.keys(headers).find((k) => !isHeaderName(k));
            if (bad !== undefined)
              ctx.addIssue({
                code: "custom",
                path: [bad],
                message: "must be an HTTP header name",
                input: bad,
              });
          }),
        ),
        () => ({}),
      ),
      pathPrefix: z.optional(z.string().check(z.startsWith("/", 'must start with "/"'))),
    },
    "must be an object",
  ),
  z.transform(({ headers, pathPrefix }) => ({
    headers: Object.fromEntries(
      Object.entries(headers)
        .map(([k, v]) => [k.toLowerCase(), v] as const)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    ),
    ...(pathPrefix === undefined ? {} : { pathPrefix }),
  })),
);
export type InterceptFilter = z.output<typeof interceptFilter>;

/** What the CLI hands the proxy agent in {@link routerRegistrationEnv}. */
const routerRegistration = versioned(
  z.object({
    v: versionField(routerRegistrationVersion),
    /** The router pod's IP and control port. */
    router: z.object({ host: name, port }, "must be an object"),
    sessionId: name,
    filter: interceptFilter,
    mirror: z.boolean("must be true or false"),
  }),
);
export type RouterRegistration = z.output<typeof routerRegistration>;

const registerMessage = z.object({
  v: versionField(routerRegistrationVersion),
  type: z.literal("register"),
  sessionId: name,
  filter: interceptFilter,
  mirror: z.boolean("must be true or false"),
  /** Matching traffic for the router's port P goes to target.host:P. */
  target: z.object({ host: name }, "must be an object"),
});
const tunnelMessage = z.object({ type: z.literal("tunnel"), up: z.boolean("must be true or false") });
/** A line the proxy sends to the router's control port. */
const controlRequest = z.discriminatedUnion("type", [registerMessage, tunnelMessage]);
export type ControlRequest = z.output<typeof controlRequest>;
export type RegisterMessage = z.output<typeof registerMessage>;

/** A line the router answers a `register` with. */
const controlAnswer = z.discriminatedUnion("type", [
  z.object({ type: z.literal("registered") }),
  z.object({ type: z.literal("refused"), reason: z.string() }),
]);
export type ControlAnswer = z.output<typeof controlAnswer>;

/** Check a filter (from flags, the project file or an annotation); header names are lowercased. */
export function parseInterceptFilter(
  value: unknown,
  what = "filter",
  code: TpErrorCode = "config",
): InterceptFilter {
  return parseMessage(interceptFilter, value ?? {}, what, code);
}

/** Whether a filter takes everything (no header, no path prefix). */
export function isFilterless(filter: InterceptFilter): boolean {
  return Object.keys(filter.headers).length === 0 && filter.pathPrefix === undefined;
}

/** Whether two (parsed) filters take exactly the same requests: two sessions may not share one. */
export function sameFilter(a: InterceptFilter, b: InterceptFilter): boolean {
  const ka = Object.keys(a.headers);
  const kb = Object.keys(b.headers);
  return (
    a.pathPrefix === b.pathPrefix &&
    ka.length === kb.length &&
    ka.every((k) => Object.hasOwn(b.headers, k) && b.headers[k] === a.headers[k])
  );
}

/** The filter as `tp status` shows it: `x-user=alice path=/api`, or `all traffic`. */
export function describeFilter(filter: InterceptFilter): string {
  if (isFilterless(filter)) return "all traffic";
  const parts = Object.entries(filter.headers).map(([k, v]) => `${k}=${v}`);
  if (filter.pathPrefix !== undefined) parts.push(`path=${filter.pathPrefix}*`);
  return parts.join(" ");
}

/** The registration as the proxy pod's environment carries it (checked first). */
export function routerRegistrationToEnv(registration: RouterRegistration): { name: string; value: string } {
  const checked = parseJsonMessage(routerRegistration, JSON.stringify(registration), "router registration");
  return {
    name: routerRegistrationEnv,
    value: JSON.stringify({ v: routerRegistrationVersion, ...checked }),
  };
}

/** Read {@link routerRegistrationEnv}: undefined when absent; throws a TpError("config") when wrong. */
export function parseRouterRegistration(text: string | undefined): RouterRegistration | undefined {
  if (text === undefined || text.trim() === "") return undefined;
  return parseJsonMessage(routerRegistration, text, routerRegistrationEnv);
}

/** One line of the control protocol, newline included. */
export function controlLine(message: ControlRequest | ControlAnswer): string {
  const line = JSON.stringify(
    message.type === "register" ? { v: routerRegistrationVersion, ...message } : message,
  );
  if (Buffer.byteLength(line) >= maxControlLineBytes) throw new TpError("config", "control message too long");
  return `${line}\n`;
}

/** A line the router read from a proxy, or why it is refused. */
export function readControlRequest(line: string): Read<ControlRequest> {
  return readJsonLine(controlRequest, line);
}

/** A line the proxy read from the router, or why it is not one. */
export function readControlAnswer(line: string): Read<ControlAnswer> {
  return readJsonLine(controlAnswer, line);
}
