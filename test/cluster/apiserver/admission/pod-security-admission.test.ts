import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../shared/kube-object.js";
import { Registry } from "../registry/registry.js";
import { resourceByPlural } from "../resource-table.js";
import { ObjectStore } from "../store/object-store.js";
import { outcome } from "../testing/create-outcome.js";
import { podSecurityAdmission } from "./pod-security-admission.js";
import { uidRangeAdmission } from "./uid-range-admission.js";

const pods = resourceByPlural("", "pods");
const namespaces = resourceByPlural("", "namespaces");
const deployments = resourceByPlural("apps", "deployments");

function cluster(labels: Record<string, string>, annotations: Record<string, string> = {}): Registry {
  const reg = new Registry(new ObjectStore(), [uidRangeAdmission, podSecurityAdmission]);
  reg.create(namespaces, undefined, { metadata: { name: "ns", labels, annotations } });
  reg.create(resourceByPlural("", "serviceaccounts"), "ns", { metadata: { name: "default" } });
  return reg;
}

const restrictedContext = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
  runAsNonRoot: true,
  seccompProfile: { type: "RuntimeDefault" },
};

function pod(name: string, securityContext?: object, spec: object = {}): KubeObject {
  return { metadata: { name }, spec: { containers: [{ name: "c", image: "i", securityContext }], ...spec } };
}

const rejection = (reg: Registry, obj: KubeObject): string => outcome(reg, obj);

describe("pod security admission", () => {
  it("rejects a plain pod under restricted with the real plugin's message", () => {
    const reg = cluster({ "pod-security.kubernetes.io/enforce": "restricted" });
    expect(rejection(reg, pod("x"))).toBe(
      '403 pods "x" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
    );
  });

  it("admits a pod that meets restricted, with the safe sysctl", () => {
    const reg = cluster({ "pod-security.kubernetes.io/enforce": "restricted" });
    const ok = pod("ok", restrictedContext, {
      securityContext: { sysctls: [{ name: "net.ipv4.ip_unprivileged_port_start", value: "0" }] },
    });
    expect(rejection(reg, ok)).toBe("admitted");
  });

  it("baseline rejects host namespaces, privileged, hostPath and unsafe sysctls in order", () => {
    const reg = cluster({
      "pod-security.kubernetes.io/enforce": "baseline",
      "pod-security.kubernetes.io/enforce-version": "v1.32",
    });
    const bad = pod(
      "b",
      { privileged: true, capabilities: { add: ["NET_ADMIN", "SYS_ADMIN"] } },
      {
        hostNetwork: true,
        hostPID: true,
        volumes: [{ name: "h", hostPath: { path: "/" } }],
        securityContext: { sysctls: [{ name: "kernel.msgmax", value: "1" }] },
      },
    );
    expect(rejection(reg, bad)).toBe(
      '403 pods "b" is forbidden: violates PodSecurity "baseline:v1.32": non-default capabilities (container "c" must not include "NET_ADMIN", "SYS_ADMIN" in securityContext.capabilities.add), host namespaces (hostNetwork=true, hostPID=true), hostPath volumes (volume "h"), privileged (container "c" must not set securityContext.privileged=true), forbidden sysctls (kernel.msgmax)',
    );
    // Baseline leaves what restricted adds alone.
    expect(rejection(reg, pod("fine"))).toBe("admitted");
  });

  it("restricted names root users and restricted volume types", () => {
    const reg = cluster({ "pod-security.kubernetes.io/enforce": "restricted" });
    const bad = pod(
      "r",
      { ...restrictedContext, runAsUser: 0 },
      { volumes: [{ name: "n", nfs: { server: "s", path: "/" } }] },
    );
    expect(rejection(reg, bad)).toContain(
      'restricted volume types (volume "n" uses restricted volume type "nfs"), runAsUser=0 (container "c" must not set runAsUser=0)',
    );
  });

  it("warn answers with a warning and enforce leaves workloads to their pods", () => {
    const reg = cluster({
      "pod-security.kubernetes.io/warn": "restricted",
      "pod-security.kubernetes.io/enforce": "restricted",
    });
    const warnings: string[] = [];
    reg.create(
      deployments,
      "ns",
      {
        metadata: { name: "d" },
        spec: {
          selector: { matchLabels: { a: "b" } },
          template: {
            metadata: { labels: { a: "b" } },
            spec: pod("", { ...restrictedContext, runAsNonRoot: undefined }).spec,
          },
        },
      },
      { warnings },
    );
    expect(warnings).toEqual([
      'would violate PodSecurity "restricted:latest": runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true)',
    ]);
  });

  it("a pod from generateName is named by its prefix", () => {
    const reg = cluster({ "pod-security.kubernetes.io/enforce": "baseline" });
    const p = pod("", { privileged: true });
    p.metadata = { generateName: "web-abc-" };
    expect(rejection(reg, p)).toMatch(
      /^403 pods "web-abc-" is forbidden: violates PodSecurity "baseline:latest": privileged/,
    );
  });
});

describe("UID range admission", () => {
  const range = { "openshift.io/sa.scc.uid-range": "1000680000/10000" };

  it("gives containers without a UID the range's first", () => {
    const reg = cluster({ "pod-security.kubernetes.io/enforce": "restricted" }, range);
    const created = reg.create(pods, "ns", pod("u", restrictedContext));
    const spec = created.spec as { containers: { securityContext: { runAsUser?: number } }[] };
    expect(spec.containers[0]?.securityContext.runAsUser).toBe(1000680000);
  });

  it("rejects a UID outside the range", () => {
    const reg = cluster({}, range);
    expect(rejection(reg, pod("u", { runAsUser: 1000 }))).toBe(
      '403 pods "u" is forbidden: unable to validate against any security context constraint: [provider "restricted-v2": spec.containers[0].securityContext.runAsUser: Invalid value: 1000: must be in the ranges: [1000680000, 1000689999]]',
    );
    expect(rejection(reg, pod("v", { runAsUser: 1000689999 }))).toBe("admitted");
  });
});
