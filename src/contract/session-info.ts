import * as z from "zod/mini";
import { workloadRef, type WorkloadRef } from "./workload-ref.js";

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
  /** The swapped workload as the user named it (`web`, `statefulset/db`) or the created Deployment. */
  deployment: z.optional(z.string()),
  /** The swapped workload's API resource. */
  workload: z.optional(workloadRef),
  /** The swapped container. */
  container: z.optional(z.string()),
});
export type SessionInfo = z.output<typeof sessionInfo>;

const readable = z.partial(z.pick(sessionInfo, { kind: true, deployment: true }));

/**
 * The annotation's kind, workload name and workload resource; nothing when it is absent or not a
 * session info (a workload that does not parse is left out alone).
 */
export function readSessionInfo(text: string | undefined): {
  kind?: string;
  deployment?: string;
  workload?: WorkloadRef;
} {
  if (!text) return {};
  try {
    const json: unknown = JSON.parse(text);
    const result = readable.safeParse(json);
    if (!result.success) return {};
    const w = workloadRef.safeParse((json as { workload?: unknown }).workload);
    return { ...result.data, ...(w.success ? { workload: w.data } : {}) };
  } catch {
    return {};
  }
}
