import { isJsonObject } from "../../shared/kube-object.js";
import { canonicalQuantity } from "../quota/quantity.js";
import { age } from "./human-duration.js";
import { col, type Printer } from "./table-types.js";

/** printResourceQuota: "resource: used/hard" of each spec.hard name, limits.* in LIMIT. */
export const resourceQuotaPrinter: Printer = {
  columns: [
    col("Name"),
    col("Age"),
    {
      ...col("Request"),
      description: "Request represents a minimum amount of cpu/memory that a container may consume.",
    },
    {
      ...col("Limit"),
      description:
        "Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.",
    },
  ],
  row(q) {
    const spec = isJsonObject(q.spec) ? q.spec : {};
    const status = isJsonObject(q.status) ? q.status : {};
    const hard = isJsonObject(status.hard) ? status.hard : {};
    const used = isJsonObject(status.used) ? status.used : {};
    const request: string[] = [];
    const limit: string[] = [];
    for (const r of Object.keys(isJsonObject(spec.hard) ? spec.hard : {}).sort()) {
      const text = `${r}: ${canonicalQuantity(used[r] ?? "0")}/${canonicalQuantity(hard[r] ?? "0")}`;
      (r.split(".")[0] === "limits" && r.includes(".") ? limit : request).push(text);
    }
    return [q.metadata.name ?? "", age(q.metadata.creationTimestamp), request.join(", "), limit.join(", ")];
  },
};

export const limitRangePrinter: Printer = {
  columns: [col("Name"), col("Created At", "date")],
  row: (o) => [o.metadata.name ?? "", String(o.metadata.creationTimestamp ?? "")],
};
