import type { V1Deployment } from "@kubernetes/client-node";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadProject } from "./load-project.js";
import { starterFile } from "./starter-file.js";

const web: V1Deployment = {
  metadata: { name: "web", namespace: "shop" },
  spec: {
    selector: {},
    template: {
      spec: {
        containers: [
          {
            name: "web",
            image: "shop/web:1.2",
            ports: [{ containerPort: 8080 }],
            env: [{ name: "PORT", value: "8080" }, { name: "API_TOKEN" }],
            envFrom: [{ configMapRef: { name: "web-config" }, prefix: "CFG_" }],
          },
          { name: "envoy", image: "envoy" },
        ],
      },
    },
  },
};

describe("starterFile", () => {
  it("writes a valid project file that swaps the Deployment's first container", () => {
    const text = starterFile(web);
    expect(text).toContain("swap-deployment: web:web");
    expect(text).toContain("web sets: PORT, API_TOKEN, (all of configmap web-config as CFG_*)");
    expect(text).toContain("other containers (envoy)");
    const dir = mkdtempSync(join(tmpdir(), "tp-init-"));
    try {
      writeFileSync(join(dir, "tp.yaml"), text);
      const project = loadProject({ file: join(dir, "tp.yaml"), env: {} });
      expect(project.tp.namespace).toBe("shop");
      expect(project.services.map((s) => [s.name, s.image, s.tp?.workload])).toEqual([
        ["web", "shop/web:1.2", { kind: "swap", name: "web", container: "web" }],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
