import type { KubeObject } from "../../shared/kube-object.js";
import type { FieldError } from "../http/api-error.js";
import type { ObjectStore } from "../store/object-store.js";

/** What a resource's strategy may look at besides the object itself. */
export interface StrategyContext {
  store: ObjectStore;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: "Orphan" | "Background" | "Foreground";
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

/** Per-resource behaviour, after k8s.io/apiserver's RESTCreateStrategy / RESTUpdateStrategy. */
export interface Strategy {
  /** metadata.generation is kept and bumped when anything but metadata and status changes. */
  tracksGeneration?: boolean;
  /** The resource has a status subresource: updates of the main resource keep the old status. */
  hasStatus?: boolean;
  /** PUT of a missing object creates it. */
  allowCreateOnUpdate?: boolean;
  /** Defaults of the type applied when a body is decoded: admission sees their effect. */
  decodeDefaults?(obj: KubeObject): void;
  prepareForCreate?(obj: KubeObject, ctx: StrategyContext): void;
  prepareForUpdate?(obj: KubeObject, old: KubeObject, ctx: StrategyContext): void;
  /** Checks for create and update (`old` is set on update). */
  validate?(obj: KubeObject, ctx: StrategyContext, old?: KubeObject): FieldError[];
  validateUpdate?(obj: KubeObject, old: KubeObject, ctx: StrategyContext): FieldError[];
  /** Seconds of grace for a delete; 0 or undefined deletes at once. */
  gracePeriod?(obj: KubeObject, options: DeleteOptions): number | undefined;
  afterDelete?(obj: KubeObject, ctx: StrategyContext): void;
}
