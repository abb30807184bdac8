import { describe, expect, it } from "vitest";
import { defaultAgentImage } from "../../version.js";
import { resolveConfig } from "./resolve-config.js";

const user = {
  file: "/home/u/.config/tp/config.yaml",
  values: { namespace: "user-ns", "agent-image": "u/agent:1", mount: "/u" },
};
const project = {
  file: "/p/tp.config.yaml",
  values: { namespace: "project-ns", "never-proxy": ["10.0.0.0/8"] },
};

describe("config precedence", () => {
  it("takes flags over the environment over the project config over the user config", () => {
    const all = resolveConfig({
      flags: { namespace: "flag-ns" },
      env: { TP_NAMESPACE: "env-ns" },
      project,
      user,
    });
    expect(all.namespace).toEqual({
      key: "namespace",
      value: "flag-ns",
      source: { kind: "flag", name: "--namespace" },
    });
    expect(resolveConfig({ env: { TP_NAMESPACE: "env-ns" }, project, user }).namespace.source).toEqual({
      kind: "env",
      name: "TP_NAMESPACE",
    });
    expect(resolveConfig({ project, user }).namespace).toMatchObject({
      value: "project-ns",
      source: { kind: "project" },
    });
    expect(resolveConfig({ user }).namespace).toMatchObject({
      value: "user-ns",
      source: { kind: "user", file: user.file },
    });
    expect(resolveConfig({}).namespace).toEqual({
      key: "namespace",
      value: undefined,
      source: { kind: "default" },
    });
  });

  it("decides each key on its own", () => {
    const c = resolveConfig({ env: { TP_AGENT_IMAGE: "env/agent:2" }, project, user });
    expect(c["agent-image"]).toMatchObject({ value: "env/agent:2", source: { kind: "env" } });
    expect(c.namespace.value).toBe("project-ns");
    expect(c.mount).toMatchObject({ value: "/u", source: { kind: "user" } });
    expect(c["never-proxy"]).toMatchObject({ value: ["10.0.0.0/8"], source: { kind: "project" } });
  });

  it("counts an empty list flag as not given, and splits list variables", () => {
    const c = resolveConfig({
      flags: { "never-proxy": [] },
      env: { TP_ALSO_PROXY: "db.internal, 10.1.0.0/16" },
      project,
    });
    expect(c["never-proxy"].source.kind).toBe("project");
    expect(c["also-proxy"].value).toEqual(["db.internal", "10.1.0.0/16"]);
  });

  it("defaults the agent image to this version's and reads TP_MOUNT=false as no volumes", () => {
    const c = resolveConfig({ env: { TP_MOUNT: "false" } });
    expect(c["agent-image"]).toMatchObject({ value: defaultAgentImage, source: { kind: "default" } });
    expect(c.mount.value).toBe(false);
  });
});
