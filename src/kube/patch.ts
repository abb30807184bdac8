import { PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";

/** Call options that make a client-node patch call send a JSON merge patch. */
export const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);
