import { ApiException } from "@kubernetes/client-node";
import { request as httpRequest } from "node:http";
import { request as httpsRequest, type RequestOptions } from "node:https";
import type { Kube } from "./kube.js";
import { currentCallSignal } from "./kube-call.js";
import { responseText } from "./response-text.js";

export interface RawRequest {
  method?: "GET" | "PATCH" | "POST" | "DELETE";
  path: string;
  body?: unknown;
  contentType?: string;
  accept?: string;
}

/**
 * One JSON call to the API server by path, with the kubeconfig's credentials: for resources the
 * typed clients do not know (any workload kind, discovery). Errors are ApiExceptions like the
 * typed clients' so that kubeCall turns them into TpErrors the same way.
 */
export async function rawJson<T>(kube: Kube, req: RawRequest): Promise<T> {
  const cluster = kube.config.getCurrentCluster();
  if (!cluster) throw new Error("the kubeconfig has no current cluster");
  const [pathname = "", search = ""] = req.path.split("?");
  const url = new URL(cluster.server);
  url.pathname = url.pathname.replace(/\/+$/, "") + pathname;
  url.search = search;
  const body = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body));
  const options: RequestOptions = {
    method: req.method ?? "GET",
    headers: {
      accept: req.accept ?? "application/json",
      ...(body
        ? { "content-type": req.contentType ?? "application/json", "content-length": body.length }
        : {}),
    },
  };
  await kube.config.applyToHTTPSOptions(options);
  // Ended when the kubeCall that made it gives up on it (its timeout).
  const signal = currentCallSignal();
  if (signal) options.signal = signal;
  const send = url.protocol === "http:" ? httpRequest : httpsRequest;
  return new Promise<T>((resolve, reject) => {
    const r = send(url, options, (res) => {
      responseText(res)
        .then(({ code, text }) => {
          if (code >= 200 && code < 300) return resolve(JSON.parse(text) as T);
          const headers = Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, String(v)]));
          reject(new ApiException(code, `HTTP ${code}`, text, headers));
        })
        .catch(reject);
    });
    r.on("error", reject);
    r.end(body);
  });
}
