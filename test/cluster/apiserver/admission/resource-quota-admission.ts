import { forbidden } from "../http/api-error.js";
import { calculateUsage, evaluatorFor, hardOf, quotaMatches } from "../quota/evaluators.js";
import { cmpQuantity } from "../quota/quantity.js";
import { addLists, maskList, prettyPrint, type ResourceList } from "../quota/resource-list.js";
import { resourceKey } from "../resource-table.js";
import { admissionName, type AdmissionPlugin } from "./admission.js";

/**
 * The ResourceQuota plugin (k8s.io/apiserver/pkg/admission/plugin/resourcequota): a create is
 * refused when an object lacks what a matching quota requires of it ("failed quota") or would take
 * the namespace's use past a quota's hard limit ("exceeded quota"). A real server compares with
 * the quota's status, which its controller keeps; here the use is measured from the store at each
 * request and compared with spec.hard, so a quota holds from the moment it exists.
 */
export function resourceQuotaAdmission(now: () => number = Date.now): AdmissionPlugin {
  return (request) => {
    const { def, namespace, object, store } = request;
    if (!def.namespaced || !namespace) return;
    const evaluator = evaluatorFor(resourceKey(def));
    const quotas = store.list("/resourcequotas", namespace).filter((q) => quotaMatches(evaluator, q, object));
    if (!quotas.length) return;
    const refuse = (why: string) =>
      forbidden({ group: def.group, resource: def.plural }, admissionName(object), why);
    for (const q of quotas) {
      const required = evaluator.matching(Object.keys(hardOf(q)));
      const why = evaluator.constraints?.(required, object);
      if (why) throw refuse(`failed quota: ${q.metadata.name}: ${why}`);
    }
    const usage = evaluator.usage({ ...object, metadata: { ...object.metadata, namespace } }, now());
    const negative = Object.keys(usage).filter((k) => usage[k]!.nanos < 0n);
    if (negative.length)
      throw refuse(`quota usage is negative for resource(s): ${negative.sort().join(",")}`);
    const delta: ResourceList = Object.fromEntries(Object.entries(usage).filter(([, v]) => v.nanos !== 0n));
    if (!Object.keys(delta).length) return;
    for (const q of quotas) {
      const hard = hardOf(q);
      const requested = maskList(delta, Object.keys(hard));
      const used = calculateUsage(store, namespace, q, now());
      const after = addLists(used, requested);
      const exceeded = Object.keys(requested).filter((k) => cmpQuantity(after[k]!, hard[k]!) > 0);
      if (exceeded.length)
        throw refuse(
          `exceeded quota: ${q.metadata.name}, requested: ${prettyPrint(maskList(requested, exceeded))}, used: ${prettyPrint(maskList(used, exceeded))}, limited: ${prettyPrint(maskList(hard, exceeded))}`,
        );
    }
  };
}
