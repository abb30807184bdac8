import type { ServerResponse } from "node:http";
import { ApiError, internalError } from "./api-error.js";

export function writeJson(
  res: ServerResponse,
  code: number,
  body: unknown,
  contentType = "application/json",
): void {
  const text = JSON.stringify(body);
  res.writeHead(code, {
    "Content-Type": contentType,
    "Content-Length": Buffer.byteLength(text),
    "Cache-Control": "no-cache, private",
  });
  res.end(text);
}

export function writeError(res: ServerResponse, err: unknown): void {
  const e = err instanceof ApiError ? err : internalError(err);
  if (!(err instanceof ApiError)) console.error("internal error:", err);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  writeJson(res, e.code, e.toStatus());
}

export function writeText(res: ServerResponse, code: number, text: string): void {
  res.writeHead(code, {
    "Content-Type": "text/plain; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
  });
  res.end(text);
}

/** Adds warnings to the response's Warning headers (`299 - "text"`), after any already set. */
export function addWarnings(res: ServerResponse, warnings: string[]): void {
  if (!warnings.length) return;
  const had = res.getHeader("Warning");
  const before = had === undefined ? [] : Array.isArray(had) ? had : [String(had)];
  res.setHeader("Warning", [...before, ...warnings.map((w) => `299 - ${JSON.stringify(w)}`)]);
}
