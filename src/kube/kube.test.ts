import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadKube } from "./kube.js";

describe("loadKube without a usable kubeconfig", () => {
  let home = "";
  const saved = { HOME: process.env.HOME, KUBECONFIG: process.env.KUBECONFIG };
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), "tp-kube-home-"));
    process.env.HOME = home;
    delete process.env.KUBECONFIG;
  });
  afterEach(() => {
    process.env.HOME = saved.HOME;
    if (saved.KUBECONFIG === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = saved.KUBECONFIG;
    rmSync(home, { recursive: true, force: true });
  });

  it("says which file is missing", () => {
    expect(() => loadKube()).toThrow(
      new RegExp(`no kubeconfig: ${join(home, ".kube", "config")} does not exist`),
    );
  });

  it("says which file is malformed, and how", () => {
    const file = join(home, "broken.yaml");
    writeFileSync(file, "clusters: [\n");
    process.env.KUBECONFIG = file;
    expect(() => loadKube()).toThrow(new RegExp(`cannot read kubeconfig ${file}: .+`));
  });
});
