import { Command } from "commander";
import { parseRouterConfig, routerConfigEnv } from "../../contract/router-config.js";
import { log, surviveUnexpectedErrors } from "../log.js";
import { startRouter } from "./router-agent.js";

/** `tp-agent router`: an intercept's router pod (config in TP_ROUTER_CONFIG). */
export const routerCommand = new Command("router")
  .description("route an intercepted Service's traffic to sessions or its own pods (runs in the cluster)")
  .action(async () => {
    const config = parseRouterConfig(process.env[routerConfigEnv]);
    surviveUnexpectedErrors();
    const router = await startRouter({ config, log });
    for (const signal of ["SIGTERM", "SIGINT"] as const)
      process.once(signal, () => {
        void router.close().finally(() => process.exit(0));
      });
  });
