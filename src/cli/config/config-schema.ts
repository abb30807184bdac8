import { z } from "zod";
import { isCidr, isHostName } from "../../contract/sidecar-config.js";

const destination = z
  .string()
  .refine((v) => isCidr(v) || isHostName(v), "expected a host name, an IPv4 address or a CIDR");

/** The keys of tp's config files (user and project); any other key is an error. */
export const configSchema = z.strictObject({
  "agent-image": z.string().min(1, "must not be empty").optional(),
  namespace: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "must be a Kubernetes namespace name")
    .optional(),
  "never-proxy": z.array(z.string().refine(isCidr, "expected an IPv4 address or CIDR")).optional(),
  "also-proxy": z.array(destination).optional(),
  /** The folder for the pod's volumes (false: no volumes). */
  mount: z.union([z.literal(false), z.string().min(1)]).optional(),
});

export type ConfigValues = z.infer<typeof configSchema>;
export type ConfigKey = keyof ConfigValues;

export const configKeys = Object.keys(configSchema.shape) as ConfigKey[];

/** The environment variable of each key. */
export const configEnv: Record<ConfigKey, string> = {
  "agent-image": "TP_AGENT_IMAGE",
  namespace: "TP_NAMESPACE",
  "never-proxy": "TP_NEVER_PROXY",
  "also-proxy": "TP_ALSO_PROXY",
  mount: "TP_MOUNT",
};
