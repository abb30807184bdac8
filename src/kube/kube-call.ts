import { ApiException, type KubeConfig } from "@kubernetes/client-node";
import { AsyncLocalStorage } from "node:async_hooks";
import { NotFoundError, TpError } from "../errors.js";
import { Labels } from "../contract/cluster-labels.js";
import { statusBody, type StatusBody } from "./response-text.js";

const sessionLabel = Labels.session;

/** How long one API call may take before the cluster counts as unreachable. */
export const callTimeoutMs = 10_000;

function statusOf(err: ApiException<unknown>): StatusBody {
  return statusBody(err.body);
}

function isRetryable(err: unknown): boolean {
  if (err instanceof ApiException) return [408, 429, 500, 502, 503, 504].includes(err.code);
  const code = (err as { code?: string } | undefined)?.code;
  return code === "ECONNRESET" || code === "EPIPE";
}

/** The hint for a refusal by a ResourceQuota or a LimitRange of the namespace, else undefined. */
export function limitsHint(message: string): string | undefined {
  return /\b(exceeded quota|failed quota): |usage per (Container|Pod) is /.test(message)
    ? "the namespace's ResourceQuota or LimitRange refuses it: see kubectl describe resourcequota,limitrange"
    : undefined;
}

/** Turn an error of the Kubernetes client into a TpError, using the Status message of the answer. */
export function toKubernetesError(what: string, err: unknown): TpError {
  if (err instanceof TpError) return err;
  if (err instanceof ApiException) {
    const status = statusOf(err);
    const message = `${what}: ${status.message ?? `HTTP ${err.code}`}`;
    if (err.code === 404) return new NotFoundError(message, { cause: err });
    if (err.code === 409) return new TpError("conflict", message, { cause: err });
    if (err.code === 403 && limitsHint(message))
      return new TpError("cluster-error", message, { cause: err, hint: limitsHint(message) });
    if (err.code === 401 || err.code === 403) {
      return new TpError("cluster-error", message, {
        cause: err,
        hint: "check your credentials and permissions (kubectl auth can-i)",
      });
    }
    return new TpError("cluster-error", message, { cause: err });
  }
  const e = err as { code?: string; message?: string } | undefined;
  return new TpError(
    "cluster-unreachable",
    `${what}: cannot reach the cluster (${e?.code ?? e?.message ?? err})`,
    {
      cause: err,
      hint: "check that the cluster is up and that --context/--kubeconfig point at it",
    },
  );
}

/** The signal of the kubeCall under way, for its requests (see abortableCalls). */
const callSignal = new AsyncLocalStorage<AbortSignal>();

/** The signal of the kubeCall under way, for a request made outside the typed clients. */
export function currentCallSignal(): AbortSignal | undefined {
  return callSignal.getStore();
}

/**
 * Make the requests of `config`'s clients end when the kubeCall that made them gives up on them:
 * a request that timed out must not go on, and perhaps take effect, behind a retry.
 */
export function abortableCalls(config: KubeConfig): void {
  const apply = config.applySecurityAuthentication.bind(config);
  config.applySecurityAuthentication = async (context) => {
    await apply(context);
    const signal = callSignal.getStore();
    if (signal) context.setSignal(signal);
  };
}

function withTimeout<T>(what: string, call: () => Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const abort = new AbortController();
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abort.abort();
      reject(
        new TpError("cluster-unreachable", `${what}: the cluster did not answer within ${ms / 1000} s`, {
          hint: "check that the cluster is up and reachable from this machine",
        }),
      );
    }, ms);
  });
  const promise = callSignal.run(abort.signal, call);
  promise.catch(() => undefined);
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Every Kubernetes call of tp goes through here: a timeout, retries with backoff for 408/429/5xx
 * and connection resets, and errors turned into TpErrors that print the server's Status message.
 */
export async function kubeCall<T>(
  what: string,
  fn: () => Promise<T>,
  retries = 3,
  timeoutMs = callTimeoutMs,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await withTimeout(what, fn, timeoutMs);
    } catch (err) {
      if (attempt >= retries || !isRetryable(err)) throw toKubernetesError(what, err);
      await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
    }
  }
}

/** Like kubeCall, but a 404 gives undefined. */
export async function kubeGet<T>(what: string, fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await kubeCall(what, fn);
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
}

/**
 * A create, with kubeCall's retries. A retry answered 409 may mean that an earlier attempt was
 * made after all (its answer was lost on the way back): `ours` reads the object and returns it
 * when it is the one this create made (for tp, its session label says so); else the conflict
 * stands.
 */
export async function kubeCreate<T>(
  what: string,
  create: () => Promise<T>,
  ours: () => Promise<T | undefined>,
): Promise<T> {
  let attempts = 0;
  try {
    return await kubeCall(what, () => (attempts++, create()));
  } catch (err) {
    if (attempts > 1 && err instanceof TpError && err.code === "conflict") {
      const found = await ours().catch(() => undefined);
      if (found !== undefined) return found;
    }
    throw err;
  }
}

/** For kubeCreate: the object read back, when it carries this session's label. */
export async function madeBySession<T extends { metadata?: { labels?: Record<string, string> } }>(
  read: () => Promise<T>,
  sessionId: string,
): Promise<T | undefined> {
  const found = await read();
  return found.metadata?.labels?.[sessionLabel] === sessionId ? found : undefined;
}
