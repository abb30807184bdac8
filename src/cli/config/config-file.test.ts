import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { formatConfig } from "../commands/config.js";
import { loadConfig, readConfigFile } from "./index.js";
import { writeConfigValue } from "./write-config.js";

let dir: string;
const temp = () => (dir = mkdtempSync(join(tmpdir(), "tp-config-")));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("config files", () => {
  it("names the file and line of an unknown key", () => {
    const file = join(temp(), "config.yaml");
    writeFileSync(file, "namespace: dev\n# a comment\nagent-imag: x\n");
    expect(() => readConfigFile(file)).toThrow(/config\.yaml:3: unknown key agent-imag/);
  });

  it("names the line of a bad value in a list", () => {
    const file = join(temp(), "config.yaml");
    writeFileSync(file, "never-proxy:\n  - 10.0.0.0/8\n  - not a cidr\n");
    expect(() => readConfigFile(file)).toThrow(
      /config\.yaml:3: never-proxy\[1\]: expected an IPv4 address or CIDR/,
    );
  });

  it("reads the user file from XDG_CONFIG_HOME and the project file beside the project file", () => {
    const root = temp();
    mkdirSync(join(root, "xdg/tp"), { recursive: true });
    writeFileSync(join(root, "xdg/tp/config.yaml"), "namespace: from-user\nagent-image: reg/agent:1\n");
    mkdirSync(join(root, "proj/sub"), { recursive: true });
    writeFileSync(join(root, "proj/tp.yaml"), "services: {}\n");
    writeFileSync(join(root, "proj/tp.config.yaml"), "namespace: from-project\n");
    const c = loadConfig({}, { XDG_CONFIG_HOME: join(root, "xdg") }, join(root, "proj/sub"));
    expect(c.namespace).toMatchObject({
      value: "from-project",
      source: { kind: "project", file: join(root, "proj/tp.config.yaml") },
    });
    expect(c["agent-image"]).toMatchObject({ value: "reg/agent:1", source: { kind: "user" } });
    const view = formatConfig(c);
    expect(view).toMatch(/^namespace +from-project +project config .*proj\/tp\.config\.yaml$/m);
    expect(view).toMatch(/^agent-image +reg\/agent:1 +user config .*xdg\/tp\/config\.yaml$/m);
    expect(view).toMatch(/^mount +- +default$/m);
  });

  it("writes a key and keeps the file's other keys and comments", () => {
    const file = join(temp(), "tp/config.yaml");
    writeConfigValue(file, "agent-image", "127.0.0.1:5055/tp-agent:0.1.0");
    writeFileSync(file, "# mine\nnamespace: dev\n");
    writeConfigValue(file, "agent-image", "reg/tp-agent:1");
    expect(readFileSync(file, "utf8")).toBe("# mine\nnamespace: dev\nagent-image: reg/tp-agent:1\n");
    expect(readConfigFile(file)?.values).toEqual({ namespace: "dev", "agent-image": "reg/tp-agent:1" });
  });
});
