import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import type { Socket } from "node:net";
import { TpError } from "../../errors.js";

export interface OriginalDst {
  address: string;
  port: number;
}

type Addon = { originalDst(fd: number): OriginalDst | null };

/**
 * Load the SO_ORIGINAL_DST addon: beside the agent bundle (/opt/tp/original-dst.node in the
 * image, dist/agent/original-dst.node in a build), or where TP_ORIGINAL_DST_ADDON says.
 */
export function loadOriginalDst(
  env: NodeJS.ProcessEnv = process.env,
): (socket: Socket) => OriginalDst | null {
  const candidates = [
    env["TP_ORIGINAL_DST_ADDON"],
    new URL("./original-dst.node", import.meta.url).pathname,
    "/opt/tp/original-dst.node",
  ].filter((p): p is string => typeof p === "string" && p !== "");
  const path = candidates.find((p) => existsSync(p));
  if (!path) {
    throw new TpError("config", "the SO_ORIGINAL_DST addon (original-dst.node) is missing", {
      hint: `looked in ${candidates.join(", ")}`,
    });
  }
  const addon = createRequire(import.meta.url)(path) as Addon;
  return (socket) => {
    const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
    return typeof fd === "number" && fd >= 0 ? addon.originalDst(fd) : null;
  };
}
