import * as z from "zod/mini";

/**
 * A session's record in the temporary directory (`tp-<session>-session.json`, owner-only), made
 * before its first local folder and removed after its last, read by `tp cleanup` and the next
 * session of any tp version: which tp process owns the session's folders (tp-<session>-volumes,
 * -run, -host), and the session folder the user chose (--mount), which no scan would find.
 */
export const localRecord = z.object({
  session: z.string(),
  host: z.string(),
  pid: z.number(),
  /** The owner's start time (see processStartTime), so that a reused pid is not taken for it. */
  started: z.optional(z.string()),
  /** The session folder, when the user chose it (--mount). */
  mount: z.optional(z.string()),
  /** The namespace of the session's cluster end (`tp cleanup -n` keeps to its own). */
  namespace: z.optional(z.string()),
});
export type LocalRecord = z.output<typeof localRecord>;

/** In the host folder of `tp run`: the user's program, which outlives a tp killed with -9. */
export const hostProgramFile = "program.json";

export const hostProgram = z.object({ pid: z.number(), started: z.optional(z.string()) });
export type HostProgram = z.output<typeof hostProgram>;
