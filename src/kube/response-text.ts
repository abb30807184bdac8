import type { IncomingMessage } from "node:http";

/** A response's status code and its whole body as text, once it has all come. */
export function responseText(res: IncomingMessage): Promise<{ code: number; text: string }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on("data", (c: Buffer) => chunks.push(c));
    res.on("error", reject);
    res.on("end", () => resolve({ code: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
  });
}

/** What tp reads of a Kubernetes Status answer. */
export interface StatusBody {
  kind?: string;
  message?: string;
  reason?: string;
}

/** An answer's body as a Status: parsed when it is JSON text; a body that is not JSON is its message. */
export function statusBody(body: unknown): StatusBody {
  if (typeof body === "string") {
    try {
      body = JSON.parse(body);
    } catch {
      return { message: body as string };
    }
  }
  return body && typeof body === "object" ? (body as StatusBody) : {};
}
