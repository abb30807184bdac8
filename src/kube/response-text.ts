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
