import { createHash } from "node:crypto";
import * as z from "zod/mini";

/**
 * What tp records on an intercepted Service, read by every tp (CLI, warden, `tp cleanup`,
 * `tp status`), possibly of another version: the sessions' entries (`tp.dev/intercepts`) and the
 * selector the Service had before its traffic went to the router (`tp.dev/original-selector`).
 */
export const InterceptKeys = {
  /** On the Service: `{ <sessionId>: InterceptEntry }` as JSON. */
  intercepts: "tp.dev/intercepts",
  /** On the Service while it selects the router: its own selector (JSON). */
  originalSelector: "tp.dev/original-selector",
  /** On the router pod and the shadow Service: the intercepted Service's name. */
  intercept: "tp.dev/intercept",
  /** The router pod's label that the swapped selector selects (value: the Service's name). */
  router: "tp.dev/router",
} as const;

/** A filter as recorded (see router-control.ts for its meaning and parseInterceptFilter). */
const recordedFilter = z.object({
  headers: z.record(z.string(), z.string()),
  pathPrefix: z.optional(z.string()),
});

export const interceptEntry = z.object({
  filter: recordedFilter,
  mirror: z.boolean(),
  /** `<kind>/<name>` of the intercepted workload. */
  workload: z.string(),
  /** When the session added its entry (RFC 3339). */
  since: z.string(),
  /**
   * Set by the last session's teardown when it restored the Service's selector; the entry goes once
   * the router pod and the shadow Service are deleted. A joining session waits for it (while that
   * session's Lease is live) so that those deletes cannot hit the router it is about to use. A tp
   * that does not know the field reads the entry as any other (zod drops unknown keys).
   */
  leaving: z.optional(z.boolean()),
});
export type InterceptEntry = z.output<typeof interceptEntry>;

const entries = z.record(z.string(), interceptEntry);
export type InterceptEntries = Record<string, InterceptEntry>;

/**
 * The entries of the annotation. An entry that does not parse is kept as it is written (another
 * tp's) under `unreadable`, so that a rewrite never drops it.
 */
export function readIntercepts(text: string | undefined): {
  entries: InterceptEntries;
  unreadable: Record<string, unknown>;
} {
  const out = { entries: {} as InterceptEntries, unreadable: {} as Record<string, unknown> };
  if (!text) return out;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return out;
  }
  if (!json || typeof json !== "object" || Array.isArray(json)) return out;
  for (const [id, value] of Object.entries(json as Record<string, unknown>)) {
    const one = interceptEntry.safeParse(value);
    if (one.success) out.entries[id] = one.data;
    else out.unreadable[id] = value;
  }
  return out;
}

/** The annotation's text; undefined when there is no entry left. */
export function writeIntercepts(
  written: InterceptEntries,
  unreadable: Record<string, unknown> = {},
): string | undefined {
  const all = { ...unreadable, ...entries.parse(written) };
  return Object.keys(all).length ? JSON.stringify(all) : undefined;
}

/** `prefix + name`, cut and given a short stable hash when longer than a DNS label (63). */
function derivedName(prefix: string, name: string): string {
  const full = `${prefix}${name}`;
  if (full.length <= 63) return full;
  const hash = createHash("sha256").update(name).digest("hex").slice(0, 6);
  return `${prefix}${name.slice(0, 63 - prefix.length - 7).replace(/-+$/, "")}-${hash}`;
}

/** The Service with the original selector, where the router sends what no session takes. */
export function shadowServiceName(service: string): string {
  return derivedName("tp-orig-", service);
}

/** The router pod of an intercepted Service. */
/** The router pod's one container (tp-agent router). */
export const routerContainer = "router";

export function routerPodName(service: string): string {
  return derivedName("tp-router-", service);
}
