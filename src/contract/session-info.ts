import * as z from "zod/mini";

/**
 * What a session is, as JSON in the `tp.dev/session-info` annotation of its objects in the
 * cluster (see cluster-labels.ts): written by the tp that starts the session, read by any later
 * `tp sessions` or `tp cleanup`, which may be another version. No version field: the reader takes
 * the fields it knows and shows an annotation it cannot read as a session of unknown kind, so a
 * version could not change what it does.
 */
export const sessionInfo = z.object({
  /** swap, new-deployment, temporary. */
  kind: z.string(),
  namespace: z.string(),
  /** The swapped or created Deployment. */
  deployment: z.optional(z.string()),
  /** The swapped container. */
  container: z.optional(z.string()),
});
export type SessionInfo = z.output<typeof sessionInfo>;

const readable = z.partial(z.pick(sessionInfo, { kind: true, deployment: true }));

/** The annotation's kind and Deployment; nothing when it is absent or not a session info. */
export function readSessionInfo(text: string | undefined): { kind?: string; deployment?: string } {
  if (!text) return {};
  try {
    const result = readable.safeParse(JSON.parse(text));
    return result.success ? result.data : {};
  } catch {
    return {};
  }
}
