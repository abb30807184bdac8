import * as z from "zod/mini";

/** The sidecar's environment variable that carries {@link VolumesConfig} as JSON. */
export const volumesConfigEnv = "TP_VOLUMES_CONFIG";

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

const volumesConfig = z.object({
  /** The session folder, as the sidecar sees it. */
  root: z._default(z.string(), sidecarVolumesRoot),
  volumes: z.array(volumeSpec),
  /** Owner of everything written into the session folder: the host user running tp. */
  uid: z.int().check(z.nonnegative()),
  gid: z.int().check(z.nonnegative()),
  limitBytes: z.number().check(z.nonnegative()),
  /** How often volumes are listed again without a change notification. */
  rescanMs: z._default(z.number().check(z.positive()), 2_000),
  /** The CLI makes the first copy of large volumes (volumes-copy, then the marker file). */
  hostCopy: z._default(z.boolean(), false),
});

export type VolumeSpec = z.infer<typeof volumeSpec>;
export type VolumesConfig = z.infer<typeof volumesConfig>;

export function parseVolumesConfig(text: string | undefined): VolumesConfig | undefined {
  if (!text) return undefined;
  return volumesConfig.parse(JSON.parse(text));
}

export function volumesConfigToEnv(config: VolumesConfig): Record<string, string> {
  return { [volumesConfigEnv]: JSON.stringify(config) };
}

/** Paths (relative to `spec.path`) of the other volumes mounted inside it. */
export function nestedPaths(spec: VolumeSpec, all: VolumeSpec[]): string[] {
  const prefix = spec.path.replace(/\/+$/, "") + "/";
  return all.filter((v) => v.path.startsWith(prefix)).map((v) => v.path.slice(prefix.length));
}
