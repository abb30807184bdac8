import type { IncomingMessage } from "node:http";
import { parse as parseYaml } from "yaml";
import { decodeKubernetesProtobuf } from "../protobuf/decode-protobuf.js";
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
  const body = await readBody(req);
  const type = mediaType(req);
  if (type === "application/vnd.kubernetes.protobuf") {
    try {
      return decodeKubernetesProtobuf(body);
    } catch (err) {
      if (err instanceof Error && "code" in err) throw err;
      throw badRequest(`the body of the request could not be decoded: ${(err as Error).message}`);
    }
  }
  const raw = body.toString("utf8");
  if (!raw.trim()) throw badRequest("the object provided is unrecognized (missing body)");
  try {
    if (type.includes("yaml")) return parseYaml(raw) as unknown;
    return JSON.parse(raw) as unknown;
  } catch (err) {
    throw badRequest(`the body of the request could not be decoded: ${(err as Error).message}`);
  }
}

/** An optional body (DeleteOptions): undefined when empty. */
export async function readOptionalObject(req: IncomingMessage): Promise<unknown> {
  const len = req.headers["content-length"];
  if (len === "0") return undefined;
  const body = await readBody(req);
  if (!body.length || !body.toString("utf8").trim()) return undefined;
  const type = mediaType(req);
  try {
    if (type === "application/vnd.kubernetes.protobuf") return decodeKubernetesProtobuf(body);
    if (type.includes("yaml")) return parseYaml(body.toString("utf8")) as unknown;
    return JSON.parse(body.toString("utf8")) as unknown;
  } catch (err) {
    if (err instanceof Error && "code" in err) throw err;
    throw badRequest(`the body of the request could not be decoded: ${(err as Error).message}`);
  }
}
