import { request as httpRequest } from "node:http";
import { Agent, request as httpsRequest } from "node:https";
import type { IncomingMessage } from "node:http";
import { createInterface } from "node:readline";

/** Where the node finds the API server and how it proves who it is. */
export interface ApiClientOptions {
  server: string;
  token: string;
  ca: Buffer | string;
}

/** A non-2xx answer of the API server, with the Status object it sent. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    const message = (body as { message?: string } | undefined)?.message;
    super(`API server answered ${status}${message ? `: ${message}` : ""}`);
  }
}

export interface WatchEvent<T> {
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  object: T;
}

/** A small Kubernetes API client over https with bearer token auth, like a kubelet's. */
export class ApiClient {
  private readonly agent: Agent;
  private readonly url: URL;

  constructor(private readonly options: ApiClientOptions) {
    this.url = new URL(options.server);
    this.agent = new Agent({ ca: options.ca, keepAlive: true, maxSockets: 32 });
  }

  private open(method: string, path: string, body?: unknown, contentType?: string): Promise<IncomingMessage> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const plain = this.url.protocol === "http:";
      const req = (plain ? httpRequest : httpsRequest)(
        {
          agent: plain ? undefined : this.agent,
          host: this.url.hostname,
          port: this.url.port || 443,
          method,
          path,
          headers: {
            authorization: `Bearer ${this.options.token}`,
            accept: "application/json",
            "user-agent": "tp-test-cluster-kubelet",
            ...(payload
              ? { "content-type": contentType ?? "application/json", "content-length": payload.length }
              : {}),
          },
        },
        resolve,
      );
      req.on("error", reject);
      req.end(payload);
    });
  }

  async request<T>(method: string, path: string, body?: unknown, contentType?: string): Promise<T> {
    const res = await this.open(method, path, body, contentType);
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    const status = res.statusCode ?? 0;
    if (status < 200 || status >= 300) throw new ApiError(status, parsed);
    return parsed as T;
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>("GET", path);
  }

  /** Follows a watch until the server ends it or `signal` aborts; calls `onEvent` for each event. */
  async watch<T>(path: string, onEvent: (e: WatchEvent<T>) => void, signal: AbortSignal): Promise<void> {
    const res = await this.open("GET", path);
    if ((res.statusCode ?? 0) >= 300) {
      const chunks: Buffer[] = [];
      for await (const c of res) chunks.push(c as Buffer);
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        body = undefined;
      }
      throw new ApiError(res.statusCode ?? 0, body);
    }
    const abort = () => res.destroy();
    signal.addEventListener("abort", abort, { once: true });
    try {
      const lines = createInterface({ input: res, crlfDelay: Infinity });
      for await (const line of lines) {
        if (!line.trim()) continue;
        onEvent(JSON.parse(line) as WatchEvent<T>);
      }
    } catch (e) {
      if (!signal.aborted) throw e;
    } finally {
      signal.removeEventListener("abort", abort);
    }
  }

  close(): void {
    this.agent.destroy();
  }
}
