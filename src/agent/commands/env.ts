import { Command } from "commander";

/** `tp-agent env`: this container's environment as one JSON object (multi-line values intact). */
export const envCommand = new Command("env").description("print the environment as JSON").action(() => {
  process.stdout.write(JSON.stringify(process.env) + "\n");
});
