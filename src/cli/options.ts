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

/** -f of the project commands (up, down, ps): which project file. */
export function projectFileOption(): Option {
  return new Option(
    "-f, --file <file>",
    "project file (default: tp.yaml, tp.yml, or compose.yaml with x-tp, here or above)",
  );
}

/** -p of the project commands (up, down, ps): the project's name. */
export function projectNameOption(): Option {
  return new Option(
    "-p, --project-name <name>",
    "project name (default: name: in the file, else the folder's name)",
  );
}
