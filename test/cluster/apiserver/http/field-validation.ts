import type { ServerResponse } from "node:http";
import { isJsonObject } from "../../shared/kube-object.js";
import { unknownFields } from "../registry/known-fields.js";
import { apiVersionOf, type ResourceDef } from "../resource-table.js";
import { badRequest } from "./api-error.js";

/**
 * fieldValidation: Strict answers 400 for unknown fields as the strict decoder does; Warn (the
 * default) sends them back as Warning headers; Ignore says nothing.
 */
export function validateFields(def: ResourceDef, body: unknown, url: URL, res: ServerResponse): void {
  const mode = url.searchParams.get("fieldValidation") ?? "Warn";
  if (mode === "Ignore" || !isJsonObject(body)) return;
  if (mode !== "Strict" && mode !== "Warn")
    throw badRequest(
      `fieldValidation: Unsupported value: "${mode}": supported values: "Ignore", "Strict", "Warn"`,
    );
  const unknown = unknownFields(def.kind, body);
  if (!unknown.length) return;
  if (mode === "Strict") {
    throw badRequest(
      `${def.kind} in version "${apiVersionOf(def).split("/").pop()}" cannot be handled as a ${def.kind}: strict decoding error: ${unknown.map((f) => `unknown field "${f}"`).join(", ")}`,
    );
  }
  res.setHeader(
    "Warning",
    unknown.map((f) => `299 - ${JSON.stringify(`unknown field "${f}"`)}`),
  );
}
