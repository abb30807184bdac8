import type Dockerode from "dockerode";
import { describe, expect, it, vi } from "vitest";
import type { Kube } from "../kube/kube.js";
import { runDoctor } from "./doctor.js";

const docker = { version: () => Promise.resolve({ Version: "27.0.1" }) } as unknown as Dockerode;

interface Fake {
  serverTime?: number;
  quotas?: object[];
  quotasError?: Error;
  denied?: (resource: string, verb: string) => boolean;
}

function fakeKube(f: Fake): Kube {
  const now = 1_700_000_000_000;
  return {
    namespace: "team",
    config: { getCurrentCluster: () => ({ server: "https://k" }), getCurrentContext: () => "ctx" },
    version: {
      getCodeWithHttpInfo: () =>
        Promise.resolve({
          headers: { date: new Date(f.serverTime ?? now).toUTCString() },
          data: { gitVersion: "v1.32.0" },
        }),
    },
    authorization: {
      createSelfSubjectAccessReview: ({
        body,
      }: {
        body: { spec: { resourceAttributes: Record<string, string> } };
      }) => {
        const a = body.spec.resourceAttributes;
        const res = a.subresource ? `${a.resource}/${a.subresource}` : (a.resource as string);
        return Promise.resolve({ status: { allowed: !f.denied?.(res, a.verb as string) } });
      },
    },
    core: {
      readNamespace: () =>
        Promise.resolve({ metadata: { labels: { "pod-security.kubernetes.io/enforce": "restricted" } } }),
      createNamespacedPod: vi.fn().mockResolvedValue({}),
      listNamespacedResourceQuota: vi.fn(() =>
        f.quotasError ? Promise.reject(f.quotasError) : Promise.resolve({ items: f.quotas ?? [] }),
      ),
      listNamespacedLimitRange: vi.fn(() => Promise.resolve({ items: [] })),
    },
  } as unknown as Kube;
}

const options = { agentImage: "tp-agent:1", skipImage: true, now: () => 1_700_000_000_400 };

describe("tp doctor", () => {
  it("passes when everything answers, naming the namespace's level", async () => {
    const report = await runDoctor(fakeKube({}), docker, options);
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => `${c.name}:${c.status}`)).toEqual([
      "docker:ok",
      "cluster:ok",
      "rights:ok",
      "pod-security:ok",
      "quota:ok",
      "agent-image:skipped",
      "clock:ok",
    ]);
    expect(report.checks[3]?.message).toContain("enforces restricted");
  });

  it("names missing rights and the feature each disables; only required ones fail", async () => {
    const rbac = (r: string) => r === "roles" || r === "rolebindings";
    const warned = await runDoctor(fakeKube({ denied: rbac }), docker, options);
    expect(warned.ok).toBe(true);
    const rights = warned.checks.find((c) => c.name === "rights");
    expect(rights?.status).toBe("warn");
    expect(rights?.missing?.map((m) => m.right)).toEqual([
      "create roles.rbac.authorization.k8s.io",
      "delete roles.rbac.authorization.k8s.io",
      "create rolebindings.rbac.authorization.k8s.io",
      "delete rolebindings.rbac.authorization.k8s.io",
    ]);
    expect(rights?.message).toContain("off: the crash-safe warden");
    const failed = await runDoctor(fakeKube({ denied: (r) => r === "pods/portforward" }), docker, options);
    expect(failed.ok).toBe(false);
    expect(failed.checks.find((c) => c.name === "rights")?.message).toContain("no session can run");
  });

  it("judges the clock by the Date header, which has whole seconds", async () => {
    const at = (serverTime: number) =>
      runDoctor(fakeKube({ serverTime }), docker, options).then((r) =>
        r.checks.find((c) => c.name === "clock"),
      );
    // Local 0.4 s past a server second: within the header's resolution.
    expect((await at(1_700_000_000_000))?.status).toBe("ok");
    expect((await at(1_700_000_000_000 - 8_000))?.message).toContain("7 s ahead of");
    expect((await at(1_700_000_000_000 - 8_000))?.status).toBe("warn");
    const behind = await at(1_700_000_000_000 + 40_000);
    expect(behind?.status).toBe("fail");
    expect(behind?.message).toContain("40 s behind");
  });

  it("says what a ResourceQuota asks of tp's pods, and when it has no room for a session", async () => {
    const quota = (pods: string, used: string) => ({
      metadata: { name: "compute" },
      spec: { hard: { pods, "requests.cpu": "2" } },
      status: { hard: { pods, "requests.cpu": "2" }, used: { pods: used, "requests.cpu": "1" } },
    });
    const check = (quotas: object[]) =>
      runDoctor(fakeKube({ quotas }), docker, options).then((r) => r.checks.find((c) => c.name === "quota"));
    expect(await check([])).toMatchObject({ status: "ok", message: "no ResourceQuota in namespace team" });
    expect(await check([quota("10", "3")])).toMatchObject({
      status: "ok",
      message: "ResourceQuota compute leaves room for a session; tp's pods state requests cpu=10m",
    });
    const full = await check([quota("4", "3")]);
    expect(full?.status).toBe("warn");
    expect(full?.message).toMatch(/^quota compute has room for 1 more pod: a session adds 2 /);
  });

  it("warns with the error where the namespace's quotas cannot be read", async () => {
    const report = await runDoctor(
      fakeKube({ quotasError: new Error("quota list refused") }),
      docker,
      options,
    );
    expect(report.checks.find((c) => c.name === "quota")).toMatchObject({
      status: "warn",
      message: expect.stringMatching(/^the namespace's ResourceQuotas cannot be read: .*quota list refused/),
    });
  });

  it("reads the namespace's quotas and limit ranges once", async () => {
    const kube = fakeKube({ quotas: [{ metadata: { name: "compute" }, spec: { hard: { pods: "10" } } }] });
    await runDoctor(kube, docker, options);
    expect(kube.core.listNamespacedResourceQuota).toHaveBeenCalledTimes(1);
    expect(kube.core.listNamespacedLimitRange).toHaveBeenCalledTimes(1);
  });
});
