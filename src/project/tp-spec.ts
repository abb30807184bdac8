import type { ExposeMapping } from "../contract/sidecar-config.js";
import { parseExposeSpec } from "../session/expose-spec.js";
import { parseWorkload } from "../cluster/workloads.js";
import { interceptOf } from "../session/intercept-spec.js";
import type { TpServiceSpec } from "./model.js";
import type { ServiceTpData } from "./schema.js";
import { hostPath, type Fail } from "./service-fields.js";

function exposeOf(value: number | string, i: number, fail: Fail): ExposeMapping {
  try {
    return parseExposeSpec(String(value));
  } catch (err) {
    return fail(["x-tp", "expose", i], (err as Error).message);
  }
}

/** A service's `x-tp`, checked by the schema, as what its session needs. */
/** x-tp's intercept and its filters (the same checks as the command line's, in the file's words). */
function interceptIn(tp: ServiceTpData, fail: Fail): TpServiceSpec["workload"] | undefined {
  try {
    return interceptOf(
      {
        intercept: tp.intercept,
        service: tp.service,
        httpHeader: tp["http-header"],
        httpPath: tp["http-path"],
        mirror: tp.mirror,
        swap: tp["swap-deployment"],
      },
      projectNames,
    );
  } catch (err) {
    return fail(["x-tp"], (err as Error).message);
  }
}

const projectNames = {
  intercept: "intercept",
  swap: "swap-deployment",
  service: "service",
  header: "http-header",
  path: "http-path",
  mirror: "mirror",
};

export function tpSpecOf(tp: ServiceTpData, dir: string, fail: Fail): TpServiceSpec {
  let workload: TpServiceSpec["workload"];
  const intercept = interceptIn(tp, fail);
  if (intercept) workload = intercept;
  else if (tp["swap-deployment"] !== undefined) {
    workload = { kind: "swap", ...parseWorkload(tp["swap-deployment"]) };
  } else if (tp["new-deployment"] !== undefined) workload = { kind: "new", name: tp["new-deployment"] };
  else if (tp.deployment !== undefined) {
    const { name, type } = parseWorkload(tp.deployment);
    workload = { kind: "existing", name, ...(type ? { type } : {}) };
  } else workload = { kind: "temporary" };
  const expose = (tp.expose ?? []).map((e, i) => exposeOf(e, i, fail));
  const remotes = expose.map((e) => `${e.remotePort}${e.protocol === "udp" ? "/udp" : ""}`);
  const dup = remotes.find((p, i) => remotes.indexOf(p) !== i);
  if (dup !== undefined) fail(["x-tp", "expose"], `remote port ${dup} is exposed twice`);
  const mount =
    tp.mount === false ? false : typeof tp.mount === "string" ? { folder: hostPath(tp.mount, dir) } : {};
  return {
    workload,
    ...(tp.namespace ? { namespace: tp.namespace } : {}),
    expose,
    toPod: tp["to-pod"] ?? [],
    fromPod: tp["from-pod"] ?? [],
    mount,
  };
}
