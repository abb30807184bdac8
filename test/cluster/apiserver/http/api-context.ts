import type { Authorizer } from "../auth/rbac-authorizer.js";
import type { ServiceAccountTokens } from "../auth/service-account-tokens.js";
import type { AppliedConfigs } from "../patch/applied-configs.js";
import type { Registry } from "../registry/registry.js";
import type { ObjectStore } from "../store/object-store.js";

/** Everything a request handler may use; passed in, never global. */
export interface ApiContext {
  store: ObjectStore;
  registry: Registry;
  tokens: ServiceAccountTokens;
  authorizer: Authorizer;
  /** The kubelet API of the node (contract: http://10.244.0.3:10250). */
  kubelet: { host: string; port: number };
  /** Server-side apply's memory of each field manager's last configuration. */
  applied: AppliedConfigs;
  /** Answers of /version. */
  version: Record<string, string>;
}
