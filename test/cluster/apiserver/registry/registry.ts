import { isJsonObject, kubeNow, type KubeObject } from "../../shared/kube-object.js";
import {
  ApiError,
  alreadyExists,
  badRequest,
  invalid,
  notFound,
  staleConflict,
  type FieldError,
  type GroupResource,
} from "../http/api-error.js";
import { apiVersionOf, resourceKey, storageDef, type ResourceDef } from "../resource-table.js";
import { matchesFields, parseFieldSelector } from "../selectors/field-selector.js";
import { matchesRequirements, parseLabelSelector } from "../selectors/label-selector.js";
import type { ObjectStore } from "../store/object-store.js";
import { canonical, specPart } from "./canonical.js";
import {
  dns1123SubdomainMessage,
  isDns1123Subdomain,
  newUid,
  randomSuffix,
  isDns1035Label,
  dns1035LabelMessage,
} from "./names.js";
import { admit, type AdmissionPlugin } from "../admission/admission.js";
import { deleteObject, type DeleteResult } from "./registry-delete.js";
import { strategyFor } from "./strategies.js";
import type { DeleteOptions, Strategy, StrategyContext } from "./strategy.js";

export interface WriteOptions {
  dryRun?: boolean;
  /** Admission's warnings for the response's Warning headers are added here. */
  warnings?: string[];
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
}

export function groupResource(def: ResourceDef): GroupResource {
  return { group: def.group, resource: def.plural };
}

/** The objects' business rules on top of the store: defaults, validation, concurrency, deletion. */
export class Registry {
  readonly ctx: StrategyContext;

  constructor(
    readonly store: ObjectStore,
    private readonly admission: AdmissionPlugin[] = [],
  ) {
    this.ctx = { store };
  }

  find(def: ResourceDef, ns: string | undefined, name: string): KubeObject | undefined {
    return this.store.get(resourceKey(def), def.namespaced ? ns : undefined, name);
  }

  get(def: ResourceDef, ns: string | undefined, name: string): KubeObject {
    const o = this.find(def, ns, name);
    if (!o) throw notFound(groupResource(def), name);
    return o;
  }

  /** A filter for the objects a list or watch selects. */
  matcher(def: ResourceDef, opts: ListOptions): (o: KubeObject) => boolean {
    const labels = parseLabelSelector(opts.labelSelector ?? "");
    const fields = parseFieldSelector(opts.fieldSelector ?? "", [
      "metadata.name",
      "metadata.namespace",
      ...(def.selectableFields ?? []),
    ]);
    return (o) => matchesRequirements(labels, o.metadata.labels) && matchesFields(fields, o);
  }

  list(def: ResourceDef, ns: string | undefined, opts: ListOptions = {}): KubeObject[] {
    const match = this.matcher(def, opts);
    return this.store.list(resourceKey(def), def.namespaced ? ns : undefined).filter(match);
  }

  private checkNamespace(def: ResourceDef, ns: string | undefined, name: string): void {
    if (!def.namespaced) return;
    const nsObj = this.store.get("/namespaces", undefined, ns ?? "");
    if (!nsObj) throw notFound({ group: "", resource: "namespaces" }, ns ?? "");
    if (nsObj.metadata.deletionTimestamp) {
      throw new ApiError(
        403,
        "Forbidden",
        `${def.group ? `${def.plural}.${def.group}` : def.plural} "${name}" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`,
        {
          name,
          ...(def.group ? { group: def.group } : {}),
          kind: def.plural,
          causes: [
            {
              reason: "NamespaceTerminating",
              message: `namespace ${ns} is being terminated`,
              field: "metadata.namespace",
            },
          ],
        },
      );
    }
  }

  private checkKind(def: ResourceDef, body: KubeObject): void {
    const want = apiVersionOf(def);
    if ((body.apiVersion && body.apiVersion !== want) || (body.kind && body.kind !== def.kind)) {
      throw badRequest(
        `the API version in the data (${body.apiVersion ?? ""}) does not match the expected API version (${want})`,
      );
    }
    body.apiVersion = want;
    body.kind = def.kind;
  }

  private validate(def: ResourceDef, s: Strategy, obj: KubeObject, old?: KubeObject): void {
    const errs: FieldError[] = [];
    const name = obj.metadata.name ?? "";
    if (!old) {
      if (!name)
        errs.push({
          type: "FieldValueRequired",
          field: "metadata.name",
          detail: "name or generateName is required",
        });
      else if (def.group === "rbac.authorization.k8s.io") {
        if (name === "." || name === ".." || /[/%]/.test(name))
          errs.push({
            type: "FieldValueInvalid",
            field: "metadata.name",
            value: name,
            detail: `may not contain '/' or '%'`,
          });
      } else if (def.plural === "services" ? !isDns1035Label(name) : !isDns1123Subdomain(name))
        errs.push({
          type: "FieldValueInvalid",
          field: "metadata.name",
          value: name,
          detail: def.plural === "services" ? dns1035LabelMessage : dns1123SubdomainMessage,
        });
    }
    for (const [k, v] of Object.entries(obj.metadata.labels ?? {})) {
      if (typeof v !== "string" || v.length > 63 || !/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(v))
        errs.push({
          type: "FieldValueInvalid",
          field: `metadata.labels`,
          value: v,
          detail: `a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
        });
      void k;
    }
    errs.push(...(s.validate?.(obj, this.ctx, old) ?? []));
    if (old) errs.push(...(s.validateUpdate?.(obj, old, this.ctx) ?? []));
    if (errs.length) throw invalid(def.kind, def.group, name, errs);
  }

  create(
    served: ResourceDef,
    ns: string | undefined,
    input: KubeObject,
    opts: WriteOptions = {},
  ): KubeObject {
    if (!isJsonObject(input) || !isJsonObject(input.metadata)) {
      if (isJsonObject(input)) input.metadata = {};
      else throw badRequest("the object provided is unrecognized");
    }
    this.checkKind(served, input);
    const def = storageDef(served);
    const body = served.storage ? served.storage.toStorage(input) : input;
    const meta = body.metadata;
    if (def.namespaced) {
      if (meta.namespace && meta.namespace !== ns)
        throw badRequest(
          "the namespace of the provided object does not match the namespace sent on the request",
        );
      meta.namespace = ns;
    } else delete meta.namespace;
    const s = strategyFor(def);
    this.checkNamespace(def, ns, meta.name ?? "");
    s.decodeDefaults?.(body);
    // Admission sees the object before its name is generated, as on a real server.
    const warnings = admit(this.admission, { def, namespace: ns, object: body, store: this.store });
    opts.warnings?.push(...warnings);
    if (!meta.name && meta.generateName) meta.name = `${meta.generateName}${randomSuffix()}`;
    if (meta.resourceVersion) throw badRequest("resourceVersion should not be set on objects to be created");
    meta.uid = newUid();
    meta.creationTimestamp = kubeNow();
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    delete meta.managedFields;
    if (s.tracksGeneration) meta.generation = 1;
    else delete meta.generation;
    s.prepareForCreate?.(body, this.ctx);
    this.validate(def, s, body);
    if (this.find(def, ns, meta.name ?? "")) throw alreadyExists(groupResource(def), meta.name ?? "");
    if (opts.dryRun) return body;
    return this.store.create(resourceKey(def), body);
  }

  /** PUT of the object (subresource "status" changes only status; others keep it). */
  update(
    def: ResourceDef,
    ns: string | undefined,
    name: string,
    body: KubeObject,
    opts: WriteOptions & { subresource?: string } = {},
  ): { object: KubeObject; created: boolean } {
    if (!isJsonObject(body) || !isJsonObject(body.metadata))
      throw badRequest("the object provided is unrecognized");
    this.checkKind(def, body);
    const s = strategyFor(def);
    const old = this.find(def, ns, name);
    if (body.metadata.name !== undefined && body.metadata.name !== name)
      throw badRequest(
        `the name of the object (${body.metadata.name}) does not match the name on the URL (${name})`,
      );
    if (def.namespaced && body.metadata.namespace && body.metadata.namespace !== ns)
      throw badRequest(
        "the namespace of the provided object does not match the namespace sent on the request",
      );
    if (!old) {
      if (s.allowCreateOnUpdate && !opts.subresource) {
        body.metadata.name = name;
        const { resourceVersion: _rv, ...meta } = body.metadata;
        return { object: this.create(def, ns, { ...body, metadata: meta }, opts), created: true };
      }
      throw notFound(groupResource(def), name);
    }
    const rv = body.metadata.resourceVersion;
    if (rv !== undefined && rv !== "" && rv !== old.metadata.resourceVersion)
      throw staleConflict(groupResource(def), name);
    let next: KubeObject;
    if (opts.subresource === "status") {
      next = { ...structuredClone(old), status: body.status };
    } else {
      next = body;
      const m = next.metadata;
      m.name = name;
      if (def.namespaced) m.namespace = ns;
      m.uid = old.metadata.uid;
      m.creationTimestamp = old.metadata.creationTimestamp;
      m.deletionTimestamp = old.metadata.deletionTimestamp;
      m.deletionGracePeriodSeconds = old.metadata.deletionGracePeriodSeconds;
      if (m.deletionTimestamp === undefined) delete m.deletionTimestamp;
      if (m.deletionGracePeriodSeconds === undefined) delete m.deletionGracePeriodSeconds;
      delete m.managedFields;
      s.decodeDefaults?.(next);
      if (s.hasStatus) {
        if (old.status === undefined) delete next.status;
        else next.status = old.status;
      }
      s.prepareForUpdate?.(next, old, this.ctx);
      if (s.tracksGeneration) {
        const gen = old.metadata.generation ?? 1;
        m.generation = specPart(next) !== specPart(old) ? gen + 1 : gen;
      } else delete m.generation;
      this.validate(def, s, next, old);
    }
    next.metadata.resourceVersion = old.metadata.resourceVersion;
    if (canonical(next) === canonical(old)) return { object: old, created: false };
    if (opts.dryRun) return { object: next, created: false };
    const m = next.metadata;
    if (m.deletionTimestamp && !(m.finalizers ?? []).length && !m.deletionGracePeriodSeconds) {
      const gone = this.store.remove(resourceKey(def), def.namespaced ? ns : undefined, name) ?? next;
      s.afterDelete?.(gone, this.ctx);
      return { object: gone, created: false };
    }
    return { object: this.store.update(resourceKey(def), next), created: false };
  }

  delete(def: ResourceDef, ns: string | undefined, name: string, opts: DeleteOptions = {}): DeleteResult {
    return deleteObject(this, def, ns, name, opts);
  }

  /** A controller's write that must not fail on a concurrent change: retried on conflict. */
  mutate(
    def: ResourceDef,
    ns: string | undefined,
    name: string,
    change: (o: KubeObject) => void,
    subresource?: string,
  ): KubeObject | undefined {
    const o = this.find(def, ns, name);
    if (!o) return undefined;
    change(o);
    return this.update(def, ns, name, o, { subresource }).object;
  }
}
