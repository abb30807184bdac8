import * as z from "zod/mini";
import { parseJsonMessage, parseMessage, versionField, versioned } from "./message.js";

/**
 * The sidecar's environment variable that carries {@link VolumesConfig} as JSON. The sidecar
 * refuses a `v` other than {@link volumesConfigVersion}; a config without `v` is version 1.
 */
export const volumesConfigEnv = "TP_VOLUMES_CONFIG";
export const volumesConfigVersion = 1;

/**
 * How long the sidecar's last round of volumes may take once it is stopped (the writes of a
 * program's shutdown reaching a claim); tp's stop of the sidecar waits that long and a little more.
 */
export const lastRoundSeconds = 30;

/** Where the session folder is mounted in the sidecar. */
export const sidecarVolumesRoot = "/tp/volumes";

const volumeSpec = z.object({
  /** The mount path in the pod (and the path under the session folder). */
  path: z.string().check(z.startsWith("/")),
  /** The volume's name in the pod spec, for messages. */
  name: z.string(),
  /** Read-only in the pod: local changes are not copied back. */
  readOnly: z.boolean(),
  /** Secret contents: 0600 files and 0700 directories locally. */
  ownerOnly: z.boolean(),
  /**
   * Made of API objects (ConfigMap, Secret, downwardAPI, projected, the service account token):
   * small, since the API server caps an object's size.
   */
  bounded: z._default(z.boolean(), false),
});

const volumesConfig = versioned(
  z.object({
    v: versionField(volumesConfigVersion),
    /** The session folder, as the sidecar sees it. */
    root: z._default(z.string(), sidecarVolumesRoot),
    volumes: z.array(volumeSpec),
    /** Owner of what is written into the session folder: the host user running tp (see containerUid). */
    uid: z.int().check(z.nonnegative()),
    gid: z.int().check(z.nonnegative()),
    /**
     * Owner of the volumes' files instead (the Secrets and the token included): the user the
     * user's container runs as, where it is neither root nor the host user, so that the program
     * reads and writes its volumes as a pod's container does.
     */
    containerUid: z.optional(z.int().check(z.nonnegative())),
    limitBytes: z.number().check(z.nonnegative()),
    /** How often volumes are listed again without a change notification. */
    rescanMs: z._default(z.number().check(z.positive()), 2_000),
    /** The CLI makes the first copy of large volumes (volumes-copy, then the marker file). */
    hostCopy: z._default(z.boolean(), false),
  }),
);

export type VolumeSpec = z.infer<typeof volumeSpec>;
export type VolumesConfig = z.infer<typeof volumesConfig>;

export function parseVolumesConfig(text: string | undefined): VolumesConfig | undefined {
  if (!text) return undefined;
  return parseJsonMessage(volumesConfig, text, volumesConfigEnv);
}

export function volumesConfigToEnv(config: z.input<typeof volumesConfig>): Record<string, string> {
  const checked = parseMessage(volumesConfig, config, volumesConfigEnv);
  return { [volumesConfigEnv]: JSON.stringify({ v: volumesConfigVersion, ...checked }) };
}

/** Who owns the volumes' files in the session folder (the folders above them stay the host user's). */
export function volumeOwner(config: VolumesConfig): { uid: number; gid: number } {
  return { uid: config.containerUid ?? config.uid, gid: config.gid };
}

/** Paths (relative to `spec.path`) of the other volumes mounted inside it. */
export function nestedPaths(spec: VolumeSpec, all: VolumeSpec[]): string[] {
  const prefix = spec.path.replace(/\/+$/, "") + "/";
  return all.filter((v) => v.path.startsWith(prefix)).map((v) => v.path.slice(prefix.length));
}
