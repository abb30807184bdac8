import type { DeleteOptions } from "../registry/strategy.js";
import { isJsonObject } from "../../shared/kube-object.js";
import { badRequest } from "./api-error.js";

export function isDryRun(url: URL): boolean {
  const d = url.searchParams.getAll("dryRun");
  if (d.some((v) => v !== "All" && v !== "")) throw badRequest(`Invalid dryRun value: ${d.join(",")}`);
  return d.includes("All");
}

function int(v: string | null, name: string): number | undefined {
  if (v === null || v === "") return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw badRequest(`invalid value for ${name}: ${v}`);
  return n;
}

export function intParam(url: URL, name: string): number | undefined {
  return int(url.searchParams.get(name), name);
}

/** DeleteOptions from the body (if any) and the query string, the query winning. */
export function deleteOptions(url: URL, body: unknown): DeleteOptions {
  const opts: DeleteOptions = {};
  if (isJsonObject(body)) {
    if (typeof body.gracePeriodSeconds === "number") opts.gracePeriodSeconds = body.gracePeriodSeconds;
    if (typeof body.propagationPolicy === "string")
      opts.propagationPolicy = body.propagationPolicy as DeleteOptions["propagationPolicy"];
    if (body.orphanDependents === true) opts.propagationPolicy = "Orphan";
    if (body.orphanDependents === false) opts.propagationPolicy ??= "Background";
    if (isJsonObject(body.preconditions))
      opts.preconditions = body.preconditions as DeleteOptions["preconditions"];
    if (Array.isArray(body.dryRun) && body.dryRun.includes("All")) opts.dryRun = true;
  }
  const grace = intParam(url, "gracePeriodSeconds");
  if (grace !== undefined) opts.gracePeriodSeconds = grace;
  const pp = url.searchParams.get("propagationPolicy");
  if (pp) {
    if (!["Orphan", "Background", "Foreground"].includes(pp))
      throw badRequest(
        `propagationPolicy: Unsupported value: "${pp}": supported values: "Foreground", "Background", "Orphan"`,
      );
    opts.propagationPolicy = pp as DeleteOptions["propagationPolicy"];
  }
  const orphan = url.searchParams.get("orphanDependents");
  if (orphan === "true") opts.propagationPolicy = "Orphan";
  if (isDryRun(url)) opts.dryRun = true;
  return opts;
}
