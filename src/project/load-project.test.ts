import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadProject } from "./load-project.js";

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

function project(text: string, files: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), "tp-project-"));
  dirs.push(dir);
  writeFileSync(join(dir, "tp.yaml"), text);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return () => loadProject({ file: join(dir, "tp.yaml"), env: { HOME_VAR: "from-env", EMPTY: "" } });
}

function errorOf(load: () => unknown): string {
  try {
    load();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("no error");
}

const valid = `
name: demo
x-tp:
  namespace: team
  never-proxy: [10.9.0.0/16]
x-common: &common
  environment: { SHARED: "1" }
services:
  web:
    image: web:dev
    command: node server.js --port "8 0"
    environment:
      A: 1
      B: \${HOME_VAR}
      C: \${MISSING:-fallback}
      D: $$literal
    ports: ["8080:80", 9000]
    volumes: ["./src:/app/src:ro"]
    depends_on:
      db: { condition: service_healthy }
    x-tp:
      swap-deployment: web:app
      expose: [8080, "9000:90"]
    x-notes: anything
  db:
    image: tp-test-busybox:local
    env_file: db.env
    environment: [EXTRA=x, HOME_VAR]
    healthcheck:
      test: ["CMD", "wget", "-q", "http://localhost/"]
      interval: 1s
`;

describe("loadProject", () => {
  it("reads services, environment, interpolation and x-tp", () => {
    const p = project(valid, { "db.env": "# c\nFROM_FILE='quoted value'\nexport OTHER=2 # note\n" })();
    expect(p.name).toBe("demo");
    expect(p.tp).toEqual({ namespace: "team", alsoProxy: [], neverProxy: ["10.9.0.0/16"] });
    const [web, db] = p.services;
    expect(web?.command).toEqual(["node", "server.js", "--port", "8 0"]);
    expect(web?.environment).toEqual({ A: "1", B: "from-env", C: "fallback", D: "$literal" });
    expect(web?.ports).toEqual(["8080:80", "9000"]);
    expect(web?.volumes).toEqual([`${p.dir}/src:/app/src:ro`]);
    expect(web?.dependsOn).toEqual([{ service: "db", condition: "service_healthy" }]);
    expect(web?.tp?.workload).toEqual({ kind: "swap", name: "web", container: "app" });
    expect(web?.tp?.expose).toEqual([
      { localPort: 8080, remotePort: 8080 },
      { localPort: 9000, remotePort: 90 },
    ]);
    expect(db?.environment).toEqual({
      FROM_FILE: "quoted value",
      OTHER: "2",
      EXTRA: "x",
      HOME_VAR: "from-env",
    });
    expect(db?.healthcheck).toEqual({ disable: false, command: "wget -q http://localhost/", interval: "1s" });
    expect(db?.tp).toBeUndefined();
  });

  it("names the file, line, service and field of an unknown field", () => {
    const load = project("services:\n  web:\n    image: x\n    imagee: y\n");
    expect(errorOf(load)).toMatch(/tp\.yaml:4: services\.web\.imagee: unknown field$/);
  });

  it("rejects an unknown x-tp field and two workloads", () => {
    expect(errorOf(project("services:\n  web:\n    image: x\n    x-tp:\n      swap: web\n"))).toMatch(
      /tp\.yaml:5: services\.web\.x-tp\.swap: unknown field/,
    );
    expect(
      errorOf(
        project("services:\n  web:\n    image: x\n    x-tp:\n      connect: true\n      deployment: a\n"),
      ),
    ).toMatch(/tp\.yaml:4: services\.web\.x-tp: takes only one of deployment, connect/);
  });

  it("rejects two services swapping one Deployment", () => {
    const load = project(
      "services:\n  a:\n    image: x\n    x-tp: { swap-deployment: web }\n  b:\n    image: x\n    x-tp:\n      swap-deployment: web:c\n",
    );
    expect(errorOf(load)).toMatch(
      /tp\.yaml:8: services\.b\.x-tp\.swap-deployment: deployment "web" is already swapped by service a/,
    );
  });

  it("takes KIND/NAME for any workload, and rejects two services swapping it", () => {
    const one = project(
      "services:\n  db:\n    image: x\n    x-tp: { swap-deployment: statefulset/db:db }\n  ro:\n    image: x\n    x-tp: { deployment: rollouts.argoproj.io/web }\n",
    )();
    expect(one.services.find((s) => s.name === "db")?.tp?.workload).toEqual({
      kind: "swap",
      type: "statefulset",
      name: "db",
      container: "db",
    });
    expect(one.services.find((s) => s.name === "ro")?.tp?.workload).toEqual({
      kind: "existing",
      type: "rollouts.argoproj.io",
      name: "web",
    });
    const twice = project(
      "services:\n  a:\n    image: x\n    x-tp: { swap-deployment: sts/db }\n  b:\n    image: x\n    x-tp: { swap-deployment: sts/db }\n",
    );
    expect(errorOf(twice)).toMatch(
      /services\.b\.x-tp\.swap-deployment: workload "sts\/db" is already swapped by service a/,
    );
  });

  it("takes an intercept with its filters, two of one workload, and refuses stray filters", () => {
    const both = project(
      "services:\n  a:\n    image: x\n    x-tp:\n      intercept: web:app\n      service: web-svc\n      http-header: [X-Dev=a]\n      http-path: /api\n  b:\n    image: x\n    x-tp: { intercept: web, http-header: [x-dev=b], mirror: true }\n",
    )();
    expect(both.services.find((s) => s.name === "a")?.tp?.workload).toEqual({
      kind: "intercept",
      name: "web",
      container: "app",
      service: "web-svc",
      filter: { headers: { "x-dev": "a" }, pathPrefix: "/api" },
      mirror: false,
    });
    expect(both.services.find((s) => s.name === "b")?.tp?.workload).toMatchObject({
      kind: "intercept",
      filter: { headers: { "x-dev": "b" } },
      mirror: true,
    });
    const stray = project(
      "services:\n  a:\n    image: x\n    x-tp: { swap-deployment: web, mirror: true }\n",
    );
    expect(errorOf(stray)).toMatch(/mirror goes with intercept, not swap-deployment/);
    const header = project(
      "services:\n  a:\n    image: x\n    x-tp: { intercept: web, http-header: [nokey] }\n",
    );
    expect(errorOf(header)).toMatch(/http-header nokey: expected KEY=VALUE/);
  });

  it("rejects a depends_on cycle and unknown dependencies", () => {
    const cycle = project(
      "services:\n  a:\n    image: x\n    depends_on: [b]\n  b:\n    image: x\n    depends_on: [c]\n  c:\n    image: x\n    depends_on: [a]\n",
    );
    expect(errorOf(cycle)).toMatch(/tp\.yaml:4: services\.a\.depends_on: dependency cycle: a -> b -> c -> a/);
    const unknown = project("services:\n  a:\n    image: x\n    depends_on: [nope]\n");
    expect(errorOf(unknown)).toMatch(/services\.a\.depends_on: unknown service "nope"/);
  });

  it("refuses an image that is not an image reference (a docker run flag, for one)", () => {
    for (const image of ["--privileged", "-v/:/host", "a b"])
      expect(errorOf(project(`services:\n  a:\n    image: "${image}"\n`))).toMatch(
        /tp\.yaml:3: services\.a\.image: .* is not an image reference/,
      );
    expect(() =>
      project("services:\n  a:\n    image: registry.example.com:5000/team/app:v1.2_rc-3\n"),
    ).not.toThrow();
  });

  it("explains wrong types, bad ports, named volumes and missing variables", () => {
    expect(errorOf(project("services:\n  a:\n    image: 3\n"))).toMatch(
      /services\.a\.image: must be a string \(got number\)/,
    );
    expect(errorOf(project("services:\n  a:\n    image: x\n    ports: ['1-3:1-2']\n"))).toMatch(
      /tp\.yaml:4: services\.a\.ports\[0\]: 1-3:1-2: the host and container ranges differ in size/,
    );
    expect(errorOf(project("services:\n  a:\n    image: x\n    volumes: ['data:/data']\n"))).toMatch(
      /services\.a\.volumes\[0\]: named volume "data" is not supported/,
    );
    expect(errorOf(project("services:\n  a:\n    image: ${NOPE:?set NOPE}\n"))).toMatch(
      /tp\.yaml:3: services\.a\.image: required variable NOPE is missing a value: set NOPE/,
    );
    expect(
      errorOf(project("services:\n  a:\n    build: { context: . }\n    x-tp: { expose: [1] }\n")),
    ).toMatch(/services\.a\.x-tp: needs one of swap-deployment/);
    expect(errorOf(project("services:\n  a: {}\n"))).toMatch(/services\.a: needs image or build/);
    expect(errorOf(project("services: [a]\n"))).toMatch(/services: must be a map of services/);
    expect(errorOf(project("version: '3'\nnetworks: {}\nservices: {}\n"))).toMatch(
      /tp\.yaml:2: networks: unknown field/,
    );
  });

  it("names a YAML syntax error", () => {
    expect(errorOf(project("services:\n  a:\n    image: [x\n"))).toMatch(/tp\.yaml: line \d+: /);
  });
});
