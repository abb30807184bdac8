import { Option } from "commander";

/** Options every command accepts; commander passes them down through optsWithGlobals(). */
export interface GlobalOptions {
  namespace?: string;
  context?: string;
  kubeconfig?: string;
  verbose?: boolean;
  quiet?: boolean;
  output?: "text" | "json";
}

export const outputOption = new Option("-o, --output <format>", "output format").choices(["text", "json"]);
