import { parseInterceptFilter, type InterceptFilter } from "../contract/router-control.js";
import { parseWorkload } from "../cluster/workloads.js";
import { UsageError } from "../errors.js";
import type { Workload } from "./workload.js";

/** The filter of --http-header KEY=VALUE and --http-path PREFIX. */
function filterOf(flags: InterceptFlags, names: typeof interceptFlagNames): InterceptFilter {
  const headers: Record<string, string> = {};
  for (const h of flags.httpHeader ?? []) {
    const eq = h.indexOf("=");
    if (eq <= 0) throw new UsageError(`${names.header} ${h}: expected KEY=VALUE (a header name, then =)`);
    const key = h.slice(0, eq);
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(key))
      throw new UsageError(`${names.header} ${h}: "${key}" is not an HTTP header name`);
    headers[key] = h.slice(eq + 1);
  }
  if (flags.httpPath !== undefined && !flags.httpPath.startsWith("/"))
    throw new UsageError(`${names.path} ${flags.httpPath}: expected a path prefix starting with /`);
  return parseInterceptFilter(
    { headers, ...(flags.httpPath !== undefined ? { pathPrefix: flags.httpPath } : {}) },
    `${names.header}/${names.path}`,
    "usage",
  );
}

/** What --intercept takes besides its workload (also the project file's x-tp fields). */
export interface InterceptFlags {
  intercept?: string;
  service?: string;
  httpHeader?: string[];
  httpPath?: string;
  mirror?: boolean;
  swap?: string;
}

/**
 * --intercept NAME with its filters; the filters without --intercept are refused (and --mirror
 * with a swap: a swapped workload has no pods left to answer). Undefined without --intercept.
 */
export function interceptOf(flags: InterceptFlags, names = interceptFlagNames): Workload | undefined {
  if (flags.intercept === undefined) {
    if (flags.mirror && flags.swap !== undefined)
      throw new UsageError(
        `${names.mirror} goes with ${names.intercept}, not ${names.swap}: a swapped workload's pods do not run, so nothing answers the clients`,
      );
    const stray = [
      ...(flags.service !== undefined ? [names.service] : []),
      ...(flags.httpHeader?.length ? [names.header] : []),
      ...(flags.httpPath !== undefined ? [names.path] : []),
      ...(flags.mirror ? [names.mirror] : []),
    ];
    if (stray.length)
      throw new UsageError(`${stray.join(", ")} go${stray.length === 1 ? "es" : ""} with ${names.intercept}`);
    return undefined;
  }
  const { name, container, type } = parseWorkload(flags.intercept);
  return {
    kind: "intercept",
    name,
    ...(type ? { type } : {}),
    ...(container ? { container } : {}),
    ...(flags.service !== undefined ? { service: flags.service } : {}),
    filter: filterOf(flags, names),
    mirror: flags.mirror === true,
  };
}

export const interceptFlagNames = {
  intercept: "--intercept",
  swap: "--swap-deployment",
  service: "--service",
  header: "--http-header",
  path: "--http-path",
  mirror: "--mirror",
};
