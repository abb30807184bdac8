import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import type { Socket } from "node:net";
import { TpError } from "../../errors.js";

export interface OriginalDst {
  address: string;
  port: number;
}

type Addon = { originalDst(fd: number): OriginalDst | null; trimMemory?: () => boolean };

/** What the sidecar's native addon offers. */
export interface SidecarAddon {
  /** Where a REDIRECTed connection was going. */
  originalDst(socket: Socket): OriginalDst | null;
  /** Return the C heap's free pages to the system (glibc's malloc_trim); false where it cannot. */
  trimMemory(): boolean;
}

/**
 * Load the sidecar's addon (SO_ORIGINAL_DST, malloc_trim): beside the agent bundle
 * (/opt/tp/original-dst.node in the image, dist/agent/original-dst.node in a build), or where
 * TP_ORIGINAL_DST_ADDON says.
 */
export function loadSidecarAddon(env: NodeJS.ProcessEnv = process.env): SidecarAddon {
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
  return {
    originalDst: (socket) => {
      const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
      return typeof fd === "number" && fd >= 0 ? addon.originalDst(fd) : null;
    },
    trimMemory: () => addon.trimMemory?.() ?? false,
  };
}
