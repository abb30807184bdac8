import type { IncomingMessage } from "node:http";
import { parse as parseYaml } from "yaml";
import { badRequest } from "./api-error.js";

const limit = 3 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > limit) throw badRequest("request entity too large");
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

export function mediaType(req: IncomingMessage): string {
  return (req.headers["content-type"] ?? "application/json").split(";")[0]!.trim().toLowerCase();
}

/** The request body as JSON (JSON, or YAML for application/yaml and apply patches). */
export async function readObject(req: IncomingMessage): Promise<unknown> {
  const raw = (await readBody(req)).toString("utf8");
  const type = mediaType(req);
  if (!raw.trim()) throw badRequest("the object provided is unrecognized (missing body)");
  try {
    if (type.includes("yaml")) return parseYaml(raw) as unknown;
    return JSON.parse(raw) as unknown;
  } catch (err) {
    throw badRequest(`the body of the request could not be decoded: ${(err as Error).message}`);
  }
}
