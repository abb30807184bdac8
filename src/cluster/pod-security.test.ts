import type { V1Deployment, V1Pod } from "@kubernetes/client-node";
import { describe, expect, it, vi } from "vitest";
import { evaluatePod } from "../../test/cluster/apiserver/admission/pod-security-checks.js";
import { TpError } from "../errors.js";
import type { Kube } from "../kube/kube.js";
import {
  admitProxyPod,
  lowPortsAdvice,
  unprivilegedPortSysctl,
  withRestrictedContext,
} from "./pod-security.js";
import { newDeploymentObjects, swapProxyPod, temporaryProxyPod } from "./proxy-pod.js";

const options = { sessionId: "s1", agentImage: "tp-agent:1", info: { kind: "temporary", namespace: "ns" } };

function deployment(securityContext?: object, podSecurityContext?: object): V1Deployment {
  return {
    metadata: { name: "web" },
    spec: {
      selector: { matchLabels: { app: "web" } },
      template: {
        metadata: { labels: { app: "web" } },
        spec: {
          securityContext: podSecurityContext,
          containers: [{ name: "app", image: "web:1", securityContext, ports: [{ containerPort: 80 }] }],
        },
      },
    },
  };
}

const failures = (pod: V1Pod) =>
  evaluatePod("restricted", pod.metadata ?? {}, pod.spec ?? { containers: [] });

describe("pods tp creates meet Pod Security restricted", () => {
  it("the swap proxy of a plain Deployment, the temporary proxy and a new deployment", () => {
    expect(failures(swapProxyPod(deployment(), "app", options))).toEqual([]);
    expect(failures(temporaryProxyPod(options))).toEqual([]);
    const { deployment: d } = newDeploymentObjects("n", [{ port: 80, protocol: "TCP" }], options);
    expect(failures({ metadata: {}, spec: d.spec?.template.spec })).toEqual([]);
  });

  it("the swap proxy keeps the container's own securityContext and adds only what is missing", () => {
    const own = {
      readOnlyRootFilesystem: true,
      capabilities: { add: ["NET_BIND_SERVICE"], drop: ["NET_RAW"] },
    };
    const pod = swapProxyPod(
      deployment(own, { seccompProfile: { type: "Localhost", localhostProfile: "p" } }),
      "app",
      options,
    );
    const sc = pod.spec?.containers[0]?.securityContext;
    expect(sc).toEqual({
      readOnlyRootFilesystem: true,
      capabilities: { add: ["NET_BIND_SERVICE"], drop: ["NET_RAW", "ALL"] },
      allowPrivilegeEscalation: false,
      runAsNonRoot: true,
    });
    expect(failures(pod)).toEqual([]);
    expect(JSON.stringify(pod)).not.toContain("runAsUser");
  });

  it("an explicit choice of the original stays, even one restricted refuses", () => {
    expect(withRestrictedContext({ runAsUser: 0, allowPrivilegeEscalation: true })).toEqual({
      runAsUser: 0,
      allowPrivilegeEscalation: true,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    });
  });
});

describe("the sysctl for ports below 1024", () => {
  const refused = new TpError(
    "cluster-error",
    `create pod ns/p: pods "p" is forbidden: violates PodSecurity "baseline:latest": forbidden sysctls (${unprivilegedPortSysctl})`,
  );

  it("is dropped when admission refuses it, and the user is told which ports and what to do", async () => {
    const create = vi
      .fn()
      .mockRejectedValueOnce(refused)
      .mockImplementation(({ body }) => Promise.resolve(body));
    const kube = { core: { createNamespacedPod: create } } as unknown as Kube;
    const warn = vi.fn();
    const pod = temporaryProxyPod(options);
    const admitted = await admitProxyPod(kube, "ns", pod, [80, 8080, 443], warn);
    expect(admitted.spec?.securityContext?.sysctls ?? []).toEqual([]);
    expect(create).toHaveBeenCalledTimes(2);
    expect(warn).toHaveBeenCalledWith(lowPortsAdvice([80, 443]));
    expect(lowPortsAdvice([80, 443])).toContain("ports 80, 443");
    expect(lowPortsAdvice([80, 443])).toContain("--expose 80:8080");
  });

  it("other refusals are the user's to see", async () => {
    const other = new TpError("cluster-error", 'create pod ns/p: pods "p" is forbidden: exceeded quota');
    const kube = { core: { createNamespacedPod: vi.fn().mockRejectedValue(other) } } as unknown as Kube;
    await expect(admitProxyPod(kube, "ns", temporaryProxyPod(options), [80], vi.fn())).rejects.toBe(other);
  });

  it("says nothing when no exposed port is below 1024", () => {
    expect(lowPortsAdvice([8080])).toBeUndefined();
  });
});
