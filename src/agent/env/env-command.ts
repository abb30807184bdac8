import { Command } from "commander";
import { version } from "../../version.js";

/**
 * `tp-agent env`: this container's environment as one JSON object (multi-line values intact).
 * With --with-version: `{"version": "...", "env": {...}}`, so the CLI checks both in one exec.
 */
export const envCommand = new Command("env")
  .description("print the environment as JSON")
  .option("--with-version", "wrap it as {version, env}")
  .action((opts: { withVersion?: boolean }) => {
    const out = opts.withVersion ? { version, env: process.env } : process.env;
    process.stdout.write(JSON.stringify(out) + "\n");
  });
