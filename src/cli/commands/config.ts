import { Command } from "commander";
import {
  configKeys,
  describeSource,
  loadConfig,
  projectConfigPath,
  userConfigPath,
  type ResolvedConfig,
} from "../config/index.js";
import { examples } from "../examples.js";
import type { GlobalOptions } from "../options.js";

function show(value: unknown): string {
  if (value === undefined) return "-";
  if (Array.isArray(value)) return value.length ? value.join(",") : "-";
  return String(value);
}

/** KEY VALUE SOURCE, one line a key. */
export function formatConfig(config: ResolvedConfig): string {
  const rows = [
    ["KEY", "VALUE", "SOURCE"],
    ...configKeys.map((k) => [k, show(config[k].value), describeSource(config[k].source)]),
  ];
  const widths = [0, 1].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map(
      (r) =>
        r
          .map((c, i) => c.padEnd(widths[i] ?? 0))
          .join("  ")
          .trimEnd() + "\n",
    )
    .join("");
}

const view = new Command("view")
  .description("show each setting, its value and where it came from")
  .action(function (this: Command) {
    const global = this.optsWithGlobals<GlobalOptions>();
    const config = loadConfig({ namespace: global.namespace });
    if (global.output === "json") {
      const out = Object.fromEntries(
        configKeys.map((k) => [k, { value: config[k].value, source: config[k].source }]),
      );
      process.stdout.write(JSON.stringify(out, null, 2) + "\n");
    } else process.stdout.write(formatConfig(config));
  });

const path = new Command("path")
  .description("print the paths of the user and project config files")
  .action(() => {
    process.stdout.write(`user: ${userConfigPath()}\nproject: ${projectConfigPath(process.cwd()) ?? "-"}\n`);
  });

export const configCommand = new Command("config")
  .description(
    "tp's settings: flags > environment (TP_*) > project config (tp.config.yaml beside the project file) > user config ($XDG_CONFIG_HOME/tp/config.yaml)",
  )
  .addCommand(view)
  .addCommand(path);

examples(view, [
  ["tp config view", "every setting and its source"],
  ["TP_NAMESPACE=dev tp config view -o json", "as JSON"],
]);
examples(path, [
  ["tp config path", "where the config files are looked for"],
  ["cd shop && tp config path", "the project config of the project in shop/"],
]);
examples(configCommand, [
  ["tp config view", "every setting and its source"],
  ["echo 'namespace: dev' >> ~/.config/tp/config.yaml", "a default namespace for every command"],
]);
