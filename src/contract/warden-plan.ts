import * as z from "zod/mini";
import { parseJsonMessage, versioned } from "./message.js";
import { TpError } from "../errors.js";
import { workloadRef } from "./workload-ref.js";

/**
 * The env var that hands a session's warden its plan (JSON). The warden refuses a `v` other
 * than {@link wardenPlanVersion}; a plan without `v` is read as the current version (the warden
 * runs the image of the tp that wrote the plan). Version 2: a swapped workload of any kind
 * (`restore`) instead of a Deployment's name (`restoreDeployment`). Version 3: an intercepted
 * Service (`intercept`); a version 2 plan (a warden started by a tp of the version before, whose
 * image may be this one) is read too, as a plan without an intercept.
 */
export const wardenPlanEnv = "TP_WARDEN_PLAN";
export const wardenPlanVersion = 3;

const name = z.string().check(z.minLength(1));

/** What a session's warden undoes when the session's lease stops being renewed. */
const wardenPlan = versioned(
  z.object({
    v: z.optional(
      z.union([z.literal(2), z.literal(wardenPlanVersion)], {
        error: `must be 2 or ${wardenPlanVersion} (written by another version of tp)`,
      }),
    ),
    sessionId: name,
    namespace: name,
    lease: name,
    /**
     * A swapped workload of any kind: its replicas go back (scale subresource), tp's annotations
     * go. With proxyFirst (a replica's identity and volumes belong to one pod at a time) the
     * proxy pods are deleted, and gone, before the workload is scaled back.
     */
    restore: z.optional(z.object({ workload: workloadRef, proxyFirst: z.boolean() })),
    deleteDeployments: z.array(name),
    deleteServices: z.array(name),
    deletePods: z.array(name),
    /** An intercepted Service: the session's entry goes (and, when it was the last, the router). */
    intercept: z.optional(z.object({ service: name })),
    /** The warden's own objects: owned by the lease, so they go when it goes. */
    self: z.object({ pod: name, serviceAccount: name, role: name, roleBinding: name }),
  }),
);

export type WardenPlan = z.output<typeof wardenPlan>;

export function wardenName(sessionId: string): string {
  return `tp-warden-${sessionId}`;
}

/** The plan as the warden's environment carries it. */
export function wardenPlanToEnv(plan: WardenPlan): { name: string; value: string } {
  return { name: wardenPlanEnv, value: JSON.stringify({ v: wardenPlanVersion, ...plan }) };
}

/** Read the plan from the warden's environment; throws a TpError("config") naming what is wrong. */
export function parseWardenPlan(text: string | undefined): WardenPlan {
  if (!text) throw new TpError("config", `${wardenPlanEnv} is not set`);
  return parseJsonMessage(wardenPlan, text, wardenPlanEnv);
}
