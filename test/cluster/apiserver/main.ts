import { readFileSync } from "node:fs";
import { join } from "node:path";
import { limitRangerAdmission } from "./admission/limit-ranger-admission.js";
import { podSecurityAdmission } from "./admission/pod-security-admission.js";
import { resourceQuotaAdmission } from "./admission/resource-quota-admission.js";
import { uidRangeAdmission } from "./admission/uid-range-admission.js";
import { Authorizer } from "./auth/rbac-authorizer.js";
import { ServiceAccountTokens } from "./auth/service-account-tokens.js";
import type { StaticTokens } from "./auth/authenticator.js";
import { bootstrapObjects } from "./controllers/bootstrap.js";
import { startControllers } from "./controllers/controller-manager.js";
import type { ApiContext } from "./http/api-context.js";
import { createApiServer } from "./http/api-server.js";
import { AppliedConfigs } from "./patch/applied-configs.js";
import { Registry } from "./registry/registry.js";
import { ObjectStore } from "./store/object-store.js";

/** The test cluster's API server: `node apiserver.js`, configured by environment variables. */
function main(): void {
  const dir = process.env.TP_CLUSTER_CONFIG_DIR ?? "/etc/tp-test-cluster";
  const key = readFileSync(join(dir, "pki/apiserver.key"), "utf8");
  const cert = readFileSync(join(dir, "pki/apiserver.crt"), "utf8");
  const ca = readFileSync(join(dir, "pki/ca.crt"), "utf8");
  const tokens = JSON.parse(readFileSync(join(dir, "tokens.json"), "utf8")) as StaticTokens;
  const store = new ObjectStore();
  // kube-apiserver's order: LimitRanger before PodSecurity, ResourceQuota last.
  const registry = new Registry(store, [
    limitRangerAdmission,
    uidRangeAdmission,
    podSecurityAdmission,
    resourceQuotaAdmission(),
  ]);
  const ctx: ApiContext = {
    store,
    registry,
    tokens: new ServiceAccountTokens(key),
    authorizer: new Authorizer(store),
    applied: new AppliedConfigs(),
    kubelet: {
      host: process.env.TP_KUBELET_HOST ?? "10.244.0.3",
      port: Number(process.env.TP_KUBELET_PORT ?? 10250),
    },
    version: {
      major: "1",
      minor: "32",
      gitVersion: "v1.32.0-tp",
      gitCommit: "0000000000000000000000000000000000000000",
      gitTreeState: "clean",
      buildDate: "2025-01-01T00:00:00Z",
      goVersion: "go1.23.4",
      compiler: "gc",
      platform: "linux/amd64",
    },
  };
  bootstrapObjects(registry);
  const stopControllers = startControllers(registry, ca);
  const quiet = process.env.TP_APISERVER_QUIET === "1";
  const server = createApiServer(ctx, { key, cert, tokens, log: quiet ? undefined : (l) => console.log(l) });
  const port = Number(process.env.TP_APISERVER_PORT ?? 6443);
  server.listen(port, process.env.TP_APISERVER_HOST ?? "0.0.0.0", () =>
    console.log(`apiserver: listening on :${port}`),
  );
  const stop = (): void => {
    stopControllers();
    server.close();
    server.closeAllConnections();
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main();
