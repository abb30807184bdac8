import { join } from "node:path";
import type { VolumeSpec } from "../contract/volume-config.js";
import { tarName } from "../contract/volume-protocol.js";

/** Where the volumes appear in the user's container (as with Telepresence 1's container method). */
export const telepresenceRoot = "/telepresence";

/** The destination of a `docker run -v` value (`src:dst[:opts]` or `dst`). */
export function volumeDestination(value: string): string {
  const parts = value.split(":");
  return (parts.length === 1 ? parts[0] : parts[1]) ?? value;
}

/**
 * `-v` values of the user container: each copied volume at `$TELEPRESENCE_ROOT/<mountPath>` and,
 * unless turned off, at its mount path; `:ro` where the pod mounts it read-only. Parents come
 * before the volumes mounted inside them; a path the user mounts with their own -v is left to them.
 */
export function userMounts(
  folder: string,
  specs: VolumeSpec[],
  options: { originalMounts: boolean; userVolumes: string[] },
): string[] {
  const taken = new Set(options.userVolumes.map((v) => volumeDestination(v).replace(/\/+$/, "")));
  const sorted = [...specs].sort((a, b) => a.path.split("/").length - b.path.split("/").length);
  const mounts: string[] = [];
  for (const where of options.originalMounts ? ["root", "original"] : ["root"]) {
    for (const spec of sorted) {
      const dst = where === "root" ? `${telepresenceRoot}${spec.path}` : spec.path;
      if (taken.has(dst)) continue;
      mounts.push(`${join(folder, tarName(spec.path))}:${dst}${spec.readOnly ? ":ro" : ""}`);
    }
  }
  return mounts;
}

/** TELEPRESENCE_ROOT and TELEPRESENCE_MOUNTS (the mount paths, colon-separated). */
export function volumeEnv(specs: VolumeSpec[]): Record<string, string> {
  return {
    TELEPRESENCE_ROOT: telepresenceRoot,
    TELEPRESENCE_MOUNTS: specs.map((s) => s.path).join(":"),
  };
}
