import { describe, expect, it } from "vitest";
import { plainServiceCommand, tpServiceCommand } from "./container-command.js";
import { dependencyOrder, findCycle } from "./dependency-order.js";
import type { Project, ProjectService } from "./model.js";
import { describePlan, planUp } from "./plan.js";
import { freeSubnet, serviceAddress } from "./project-network.js";
import { shellWords } from "./shell-words.js";

const service = (name: string, more: Partial<ProjectService> = {}): ProjectService => ({
  name,
  image: `${name}:dev`,
  environment: {},
  volumes: [],
  ports: [],
  dependsOn: [],
  profiles: [],
  ...more,
});

const project: Project = {
  name: "shop",
  file: "/src/shop/tp.yaml",
  dir: "/src/shop",
  tp: { alsoProxy: [], neverProxy: [] },
  services: [
    service("web", {
      dependsOn: [{ service: "db", condition: "service_healthy" }],
      tp: {
        workload: { kind: "swap", name: "web" },
        expose: [{ localPort: 8080, remotePort: 80 }],
        toPod: [],
        fromPod: [],
        mount: {},
      },
    }),
    service("db"),
    service("debug", { profiles: ["debug"] }),
  ],
};

describe("planUp", () => {
  it("orders dependencies first and leaves out inactive profiles", () => {
    expect(planUp(project, { services: [], profiles: [] }).services.map((s) => s.name)).toEqual([
      "db",
      "web",
    ]);
    expect(planUp(project, { services: [], profiles: ["debug"] }).services.map((s) => s.name)).toEqual([
      "db",
      "web",
      "debug",
    ]);
  });

  it("starts a named service with what it depends on, and names unknown services", () => {
    expect(planUp(project, { services: ["web"], profiles: [] }).services.map((s) => s.name)).toEqual([
      "db",
      "web",
    ]);
    expect(planUp(project, { services: ["debug"], profiles: [] }).services.map((s) => s.name)).toEqual([
      "debug",
    ]);
    expect(() => planUp(project, { services: ["nope"], profiles: [] })).toThrow(
      "no such service: nope (services: web, db, debug)",
    );
  });

  it("describes the plan for --dry-run", () => {
    const lines = describePlan(planUp(project, { services: [], profiles: [] }), { namespace: "team" });
    expect(lines).toContain("1. db: local container, image db:dev");
    expect(lines).toContain(
      "2. web: swap deployment web, in namespace team, image web:dev, expose 8080:80, after db (healthy)",
    );
  });
});

describe("dependencies", () => {
  it("finds cycles and orders the rest", () => {
    const nodes = [
      { name: "a", dependsOn: [{ service: "b" }] },
      { name: "b", dependsOn: [{ service: "c" }] },
      { name: "c", dependsOn: [] },
    ];
    expect(findCycle(nodes)).toBeUndefined();
    expect(dependencyOrder(nodes).map((n) => n.name)).toEqual(["c", "b", "a"]);
    expect(findCycle([...nodes.slice(0, 2), { name: "c", dependsOn: [{ service: "a" }] }])).toEqual([
      "a",
      "b",
      "c",
      "a",
    ]);
  });
});

describe("container commands", () => {
  it("runs a plain service on the project network with its name as alias and a fixed address", () => {
    const s = service("db", {
      environment: { MULTI: "a\nb" },
      entrypoint: ["/bin/sh", "-c"],
      command: ["echo hi"],
      healthcheck: { disable: false, command: "true", interval: "1s" },
      ports: ["5432:5432"],
    });
    const cmd = plainServiceCommand(s, {
      name: "tp-shop-db",
      network: "tp-shop",
      ip: "172.29.0.11",
      labels: { l: "1" },
    });
    expect(cmd.argv.join(" ")).toBe(
      "run -d --name tp-shop-db --network tp-shop --ip 172.29.0.11 --network-alias db --hostname db -e MULTI --label l=1 -p 5432:5432 --health-cmd true --health-interval 1s --entrypoint /bin/sh db:dev -c echo hi",
    );
    expect(cmd.env["MULTI"]).toBe("a\nb");
  });

  it("runs a tp service detached in its sidecar's namespace; the service's environment wins over the pod's", () => {
    const cmd = tpServiceCommand(service("web", { environment: { A: "mine" }, command: ["serve"] }), {
      name: "tp-shop-web",
      sessionId: "abcd",
      sidecar: "tp-abcd-sidecar",
      podEnv: { A: "pod", B: "pod" },
      mounts: ["/tmp/v:/telepresence"],
      labels: {},
    });
    expect(cmd.argv.slice(0, 6)).toEqual([
      "run",
      "-d",
      "--name",
      "tp-shop-web",
      "--network",
      "container:tp-abcd-sidecar",
    ]);
    expect(cmd.argv).not.toContain("--rm");
    expect(cmd.argv).toContain("/tmp/v:/telepresence");
    expect(cmd.argv.slice(-2)).toEqual(["web:dev", "serve"]);
    expect(cmd.env["A"]).toBe("mine");
    expect(cmd.env["B"]).toBe("pod");
  });
});

describe("helpers", () => {
  it("picks a free /24 and fixed addresses in it", () => {
    expect(freeSubnet(["172.17.0.0/16", "172.29.0.0/24", "172.29.1.128/25"])).toBe("172.29.2.0/24");
    expect(serviceAddress({ name: "n", subnet: "172.29.2.0/24" }, 3)).toBe("172.29.2.13");
  });

  it("splits command strings as a shell would", () => {
    expect(shellWords(`sh -c 'echo "a b"' x\\ y "q\\"q"`)).toEqual(["sh", "-c", 'echo "a b"', "x y", 'q"q']);
    expect(() => shellWords("echo 'open")).toThrow("unterminated ' quote");
  });
});
