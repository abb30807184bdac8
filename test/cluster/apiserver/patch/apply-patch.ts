import { ApiError, badRequest, unsupportedMediaType } from "../http/api-error.js";
import { JsonPatchError, applyJsonPatch } from "./json-patch.js";
import { mergePatch } from "./merge-patch.js";
import { StrategicPatchError, strategicMergePatch } from "./strategic-merge-patch.js";

export type PatchType = "json" | "merge" | "strategic" | "apply";

export function patchTypeOf(contentType: string): PatchType {
  switch (contentType) {
    case "application/json-patch+json":
      return "json";
    case "application/merge-patch+json":
      return "merge";
    case "application/strategic-merge-patch+json":
      return "strategic";
    case "application/apply-patch+yaml":
    case "application/apply-patch+cbor":
      return "apply";
    default:
      throw unsupportedMediaType(contentType);
  }
}

/** The object after a patch of the given type; errors as the API server reports them. */
export function applyPatch(type: PatchType, current: unknown, patch: unknown, kind: string): unknown {
  try {
    switch (type) {
      case "json":
        return applyJsonPatch(current, patch);
      case "merge":
        return mergePatch(current, patch);
      case "strategic":
      case "apply":
        return strategicMergePatch(current, patch, kind);
    }
  } catch (err) {
    if (err instanceof JsonPatchError) throw new ApiError(422, "Invalid", err.message);
    if (err instanceof StrategicPatchError) throw badRequest(err.message);
    throw err;
  }
}
