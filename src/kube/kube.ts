import {
  AppsV1Api,
  AuthorizationV1Api,
  AutoscalingV2Api,
  CoordinationV1Api,
  CoreV1Api,
  KubeConfig,
  RbacAuthorizationV1Api,
  VersionApi,
} from "@kubernetes/client-node";
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";
import { TpError } from "../errors.js";
import { shareConnections } from "./kube-agent.js";
import { abortableCalls } from "./kube-call.js";

export interface KubeOptions {
  /** Use the pod's service account (for the agent in the cluster). */
  inCluster?: boolean;
  kubeconfig?: string;
  context?: string;
  namespace?: string;
}

/** Which cluster and namespace: the global --kubeconfig, --context and --namespace. */
export type KubeTarget = Pick<KubeOptions, "kubeconfig" | "context" | "namespace">;

/** The Kubernetes clients of one tp run, made from the user's kubeconfig. */
export interface Kube {
  config: KubeConfig;
  /** The namespace tp works in: --namespace, else the context's, else "default". */
  namespace: string;
  core: CoreV1Api;
  apps: AppsV1Api;
  coordination: CoordinationV1Api;
  rbac: RbacAuthorizationV1Api;
  autoscaling: AutoscalingV2Api;
  authorization: AuthorizationV1Api;
  version: VersionApi;
}

export function loadKube(options: KubeOptions = {}): Kube {
  const config = new KubeConfig();
  // The files loadFromDefault reads: $KUBECONFIG's, else ~/.kube/config.
  const files = options.kubeconfig
    ? [options.kubeconfig]
    : (process.env["KUBECONFIG"] ?? "").split(delimiter).filter(Boolean);
  const defaultFile = join(process.env["HOME"] ?? homedir(), ".kube", "config");
  if (!options.inCluster && files.length === 0 && !existsSync(defaultFile))
    throw new TpError("config", `no kubeconfig: ${defaultFile} does not exist and KUBECONFIG is not set`, {
      hint: "pass --kubeconfig FILE or set KUBECONFIG",
    });
  try {
    if (options.inCluster) config.loadFromCluster();
    else if (options.kubeconfig) config.loadFromFile(options.kubeconfig);
    else config.loadFromDefault();
  } catch (cause) {
    const why = String((cause as Error).message ?? cause).split("\n")[0];
    throw new TpError("config", `cannot read kubeconfig ${files.join(delimiter) || defaultFile}: ${why}`, {
      cause,
      hint: "pass --kubeconfig FILE or set KUBECONFIG",
    });
  }
  if (options.context) {
    if (!config.getContextObject(options.context)) {
      const known = config.getContexts().map((c) => c.name);
      throw new TpError("config", `context "${options.context}" is not in the kubeconfig`, {
        hint: known.length ? `known contexts: ${known.join(", ")}` : undefined,
      });
    }
    config.setCurrentContext(options.context);
  }
  if (!config.getCurrentCluster()) {
    throw new TpError("config", "the kubeconfig has no current cluster", {
      hint: "pass --kubeconfig FILE or --context NAME",
    });
  }
  shareConnections(config);
  abortableCalls(config);
  const namespace =
    options.namespace ?? config.getContextObject(config.getCurrentContext())?.namespace ?? "default";
  return {
    config,
    namespace,
    core: config.makeApiClient(CoreV1Api),
    apps: config.makeApiClient(AppsV1Api),
    coordination: config.makeApiClient(CoordinationV1Api),
    rbac: config.makeApiClient(RbacAuthorizationV1Api),
    autoscaling: config.makeApiClient(AutoscalingV2Api),
    authorization: config.makeApiClient(AuthorizationV1Api),
    version: config.makeApiClient(VersionApi),
  };
}
