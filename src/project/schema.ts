import { z } from "zod";

/**
 * The subset of the Compose Specification that tp understands, plus its `x-tp` extension.
 * Objects are strict: a field tp does not know is an error (other `x-` fields are dropped before).
 */

const dnsName = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const nameAndContainer =
  /^([A-Za-z0-9][-A-Za-z0-9.]*\/)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:[a-z0-9]([-a-z0-9]*[a-z0-9])?)?$/;
const kindAndName = /^([A-Za-z0-9][-A-Za-z0-9.]*\/)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const duration = z
  .string()
  .regex(/^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/, { error: "must be a duration such as 10s or 1m30s" });
const port = z
  .number({ error: "must be a port number" })
  .int()
  .min(1, { error: "must be a port number (1-65535)" })
  .max(65535, { error: "must be a port number (1-65535)" });
const stringList = z.array(z.string({ error: "must be a string" }), { error: "must be a list of strings" });
const stringOrList = z.union([z.string(), stringList], { error: "must be a string or a list of strings" });
const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()], {
  error: "must be a string, a number, a boolean or empty",
});
const mapOrList = z.union([z.record(z.string(), scalar), stringList], {
  error: "must be a map of NAME: value or a list of NAME=value",
});

const healthcheck = z.strictObject({
  test: stringOrList.optional(),
  interval: duration.optional(),
  timeout: duration.optional(),
  retries: z.number().int().nonnegative().optional(),
  start_period: duration.optional(),
  start_interval: duration.optional(),
  disable: z.boolean().optional(),
});

export const dependencyConditions = [
  "service_started",
  "service_healthy",
  "service_completed_successfully",
] as const;

const dependsOn = z.union(
  [
    stringList,
    z.record(
      z.string(),
      z.strictObject({
        condition: z.enum(dependencyConditions).optional(),
        restart: z.boolean().optional(),
        required: z.boolean().optional(),
      }),
    ),
  ],
  { error: "must be a list of services or a map of service: {condition: ...}" },
);

const build = z.union(
  [
    z.string(),
    z.strictObject({
      context: z.string().optional(),
      dockerfile: z.string().optional(),
      args: mapOrList.optional(),
      target: z.string().optional(),
    }),
  ],
  { error: "must be a folder or {context, dockerfile, args, target}" },
);

const portEntry = z.union(
  [
    z.string(),
    z.number().int(),
    z.strictObject({
      target: port,
      published: z.union([z.string(), z.number().int()]).optional(),
      host_ip: z.string().optional(),
      protocol: z.enum(["tcp", "udp"]).optional(),
      mode: z.literal("host").optional(),
      name: z.string().optional(),
      app_protocol: z.string().optional(),
    }),
  ],
  { error: "must be [HOST_IP:][HOST_PORT:]PORT[/PROTOCOL] or {target, published, host_ip, protocol}" },
);

const volumeEntry = z.union(
  [
    z.string(),
    z.strictObject({
      type: z.literal("bind", { error: 'only type "bind" is supported by tp' }),
      source: z.string(),
      target: z.string(),
      read_only: z.boolean().optional(),
      bind: z.strictObject({ create_host_path: z.boolean().optional() }).optional(),
    }),
  ],
  { error: "must be HOST_PATH:CONTAINER_PATH[:ro] or {type: bind, source, target}" },
);

const envFile = z.union(
  [
    z.string(),
    z.array(
      z.union([z.string(), z.strictObject({ path: z.string(), required: z.boolean().optional() })], {
        error: "must be a file name or {path, required}",
      }),
    ),
  ],
  { error: "must be a file name or a list of them" },
);

const portOrSpec = z.union([port, z.string()], { error: "must be PORT[:REMOTE_PORT][/tcp|/udp]" });

export const workloadKeys = [
  "swap-deployment",
  "intercept",
  "new-deployment",
  "deployment",
  "connect",
] as const;

export const serviceTpSchema = z
  .strictObject({
    "swap-deployment": z
      .string()
      .regex(nameAndContainer, {
        error: "must be [KIND/]NAME[:CONTAINER] (NAME a Deployment, or KIND/NAME like kubectl)",
      })
      .optional(),
    intercept: z
      .string()
      .regex(nameAndContainer, {
        error: "must be [KIND/]NAME[:CONTAINER] (NAME a Deployment, or KIND/NAME like kubectl)",
      })
      .optional(),
    service: z.string().regex(dnsName, { error: "must be a Service name" }).optional(),
    "http-header": z.array(z.string(), { error: "must be a list of KEY=VALUE" }).optional(),
    "http-path": z.string().optional(),
    mirror: z.boolean({ error: "must be true or false" }).optional(),
    "new-deployment": z.string().regex(dnsName, { error: "must be a lower-case DNS label" }).optional(),
    deployment: z
      .string()
      .regex(kindAndName, { error: "must be [KIND/]NAME (a Deployment, or KIND/NAME like kubectl)" })
      .optional(),
    connect: z.literal(true, { error: "must be true (or left out)" }).optional(),
    expose: z.array(portOrSpec, { error: "must be a list of PORT[:REMOTE_PORT][/tcp|/udp]" }).optional(),
    "to-pod": z.array(port, { error: "must be a list of ports" }).optional(),
    "from-pod": z.array(port, { error: "must be a list of ports" }).optional(),
    mount: z.union([z.boolean(), z.string()], { error: "must be true, false or a host folder" }).optional(),
    namespace: z.string().regex(dnsName, { error: "must be a namespace name" }).optional(),
  })
  .superRefine((v, ctx) => {
    const chosen = workloadKeys.filter((k) => v[k] !== undefined);
    if (chosen.length !== 1)
      ctx.addIssue({
        code: "custom",
        message:
          chosen.length === 0
            ? "needs one of swap-deployment, intercept, new-deployment, deployment or connect: true"
            : `takes only one of ${chosen.join(", ")}`,
      });
  });

export const serviceSchema = z.strictObject({
  image: z.string().min(1).optional(),
  build: build.optional(),
  command: stringOrList.optional(),
  entrypoint: stringOrList.optional(),
  environment: mapOrList.optional(),
  env_file: envFile.optional(),
  volumes: z.array(volumeEntry, { error: "must be a list" }).optional(),
  ports: z.array(portEntry, { error: "must be a list" }).optional(),
  working_dir: z.string().optional(),
  user: z.union([z.string(), z.number().int()]).optional(),
  depends_on: dependsOn.optional(),
  healthcheck: healthcheck.optional(),
  profiles: stringList.optional(),
  "x-tp": serviceTpSchema.optional(),
});

const cidrOrName = z.string({ error: "must be a string" });

export const projectTpSchema = z.strictObject({
  context: z.string().optional(),
  namespace: z.string().regex(dnsName, { error: "must be a namespace name" }).optional(),
  "also-proxy": z.array(cidrOrName, { error: "must be a list" }).optional(),
  "never-proxy": z.array(cidrOrName, { error: "must be a list" }).optional(),
  subnet: z
    .string()
    .regex(/^\d+\.\d+\.\d+\.0\/24$/, { error: "must be an IPv4 /24 such as 172.29.5.0/24" })
    .optional(),
});

export const projectSchema = z.strictObject({
  version: z.union([z.string(), z.number()]).optional(),
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]*$/, { error: "must be lower-case letters, digits, - and _" })
    .optional(),
  services: z.record(
    z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9._-]*$/, { error: "is not a valid service name" }),
    serviceSchema,
    { error: "must be a map of services" },
  ),
  "x-tp": projectTpSchema.optional(),
});

export type ProjectFileData = z.infer<typeof projectSchema>;
export type ServiceData = z.infer<typeof serviceSchema>;
export type ServiceTpData = z.infer<typeof serviceTpSchema>;
