import { runAgent, type AgentRoles } from "./program.js";

/**
 * Every role, each loaded only when it runs. The image also holds one bundle per role
 * (tp-agent-<role>.cjs, see scripts/build.mjs), which its entry script runs directly.
 */
const agentRoles: AgentRoles = {
  proxy: async () => (await import("./commands/proxy.js")).proxyCommand,
  sidecar: async () => (await import("./commands/sidecar.js")).sidecarCommand,
  pipe: async () => (await import("./commands/pipe.js")).pipeCommand,
  env: async () => (await import("./commands/env.js")).envCommand,
  warden: async () => (await import("./commands/warden.js")).wardenCommand,
};

runAgent(agentRoles);
