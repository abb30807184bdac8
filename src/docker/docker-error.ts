import { TpError } from "../errors.js";

/** A Docker engine error as a TpError. */
export function dockerError(what: string, err: unknown): TpError {
  if (err instanceof TpError) return err;
  const e = err as { code?: string; statusCode?: number; json?: { message?: string }; message?: string };
  if (e.code === "ENOENT" || e.code === "ECONNREFUSED" || e.code === "EACCES") {
    return new TpError("docker-unavailable", `${what}: no Docker engine answers (${e.code})`, {
      cause: err,
      hint: "start Docker (on Debian as root: bash scripts/ensure-docker.sh)",
    });
  }
  return new TpError("docker-error", `${what}: ${e.json?.message ?? e.message ?? String(err)}`, {
    cause: err,
  });
}
