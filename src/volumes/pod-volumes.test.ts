import type { V1Pod, V1Volume, V1VolumeMount } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { writesOutlivePod } from "./pod-volumes.js";

function pod(volume: V1Volume, mount: Partial<V1VolumeMount> = {}): V1Pod {
  return {
    spec: {
      containers: [{ name: "app", volumeMounts: [{ name: volume.name, mountPath: "/v", ...mount }] }],
      volumes: [volume],
    },
  };
}

describe("writesOutlivePod", () => {
  it("is true for writable claims, host paths and network volumes", () => {
    expect(writesOutlivePod(pod({ name: "d", persistentVolumeClaim: { claimName: "c" } }), "app")).toBe(true);
    expect(writesOutlivePod(pod({ name: "d", hostPath: { path: "/srv" } }), "app")).toBe(true);
    expect(writesOutlivePod(pod({ name: "d", nfs: { server: "s", path: "/x" } }), "app")).toBe(true);
  });

  it("is false for what goes with the pod, read-only mounts and other containers' volumes", () => {
    const claim = { name: "d", persistentVolumeClaim: { claimName: "c" } };
    expect(writesOutlivePod(pod({ name: "d", emptyDir: {} }), "app")).toBe(false);
    expect(writesOutlivePod(pod({ name: "d", ephemeral: {} }), "app")).toBe(false);
    expect(writesOutlivePod(pod({ name: "d", csi: { driver: "secrets-store.csi.k8s.io" } }), "app")).toBe(
      false,
    );
    expect(writesOutlivePod(pod({ name: "d", configMap: { name: "m" } }), "app")).toBe(false);
    expect(writesOutlivePod(pod(claim, { readOnly: true }), "app")).toBe(false);
    expect(
      writesOutlivePod(pod({ name: "d", persistentVolumeClaim: { claimName: "c", readOnly: true } }), "app"),
    ).toBe(false);
    expect(writesOutlivePod(pod(claim), "other")).toBe(false);
  });
});
