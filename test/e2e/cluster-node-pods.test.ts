import { execFileSync } from "node:child_process";
import type { V1Pod } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  clusterClient,
  deletePod,
  execIn,
  kubeconfigPath,
  uniqueName,
  waitFor,
  waitPodReady,
  withNamespace,
} from "../cluster/node/testing/e2e-helpers.js";

const { kc, core } = clusterClient();
let ns = "";
let removeNs: () => Promise<void> = async () => {};

beforeAll(async () => {
  ({ ns, remove: removeNs } = await withNamespace(core, "node-pods"));
});
afterAll(async () => {
  await removeNs();
});

function podOf(name: string, spec: V1Pod["spec"], labels?: Record<string, string>): V1Pod {
  return { metadata: { name, labels }, spec };
}

const sleeper = { name: "main", image: "tp-test-busybox:local", command: ["sleep", "3600"] };

describe("test cluster node: pods", () => {
  it("a pod goes from create to Ready in under 2 s and reports a kubelet's status", async () => {
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const name = uniqueName("ready");
      try {
        const started = Date.now();
        await core.createNamespacedPod({
          namespace: ns,
          body: podOf(name, { terminationGracePeriodSeconds: 1, containers: [sleeper] }),
        });
        const pod = await waitPodReady(core, ns, name, 10_000);
        times.push(Date.now() - started);
        expect(pod.spec?.nodeName).toBe("tp-test-node");
        expect(pod.status?.phase).toBe("Running");
        expect(pod.status?.hostIP).toBe("10.244.0.3");
        expect(pod.status?.podIP).toMatch(/^10\.244\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\.\d+$/);
        expect(pod.status?.conditions?.map((c) => `${c.type}=${c.status}`)).toEqual(
          expect.arrayContaining([
            "ContainersReady=True",
            "Initialized=True",
            "PodScheduled=True",
            "Ready=True",
          ]),
        );
        const cs = pod.status?.containerStatuses?.[0];
        expect(cs).toMatchObject({
          name: "main",
          ready: true,
          restartCount: 0,
          started: true,
          image: "tp-test-busybox:local",
        });
        expect(cs?.containerID).toMatch(/^docker:\/\/[0-9a-f]{64}$/);
        expect(cs?.imageID).toMatch(/^docker:\/\/sha256:/);
        expect(cs?.state?.running?.startedAt).toBeDefined();
      } finally {
        await deletePod(core, ns, name);
      }
    }
    const median = [...times].sort((a, b) => a - b)[1] ?? Infinity;
    console.log(`pod create -> Ready: ${times.join(" ms, ")} ms (median ${median} ms)`);
    // The median of three, so that one slow start on a busy machine does not decide it.
    expect(median).toBeLessThan(2_000);
  });

  it("a missing image is reported as ErrImageNeverPull and the pod stays Pending", async () => {
    const name = uniqueName("noimage");
    try {
      await core.createNamespacedPod({
        namespace: ns,
        body: podOf(name, { containers: [{ name: "main", image: "tp-does-not-exist:1" }] }),
      });
      const waiting = await waitFor("ErrImageNeverPull", async () => {
        const pod = await core.readNamespacedPod({ name, namespace: ns });
        const w = pod.status?.containerStatuses?.[0]?.state?.waiting;
        return w?.reason === "ErrImageNeverPull" ? { pod, w } : undefined;
      });
      expect(waiting.pod.status?.phase).toBe("Pending");
      expect(waiting.w.message).toBe(
        'Container image "tp-does-not-exist:1" is not present with pull policy of Never',
      );
    } finally {
      await deletePod(core, ns, name);
    }
  });

  it("exec returns stdout, stderr and the exit status", async () => {
    const name = uniqueName("exec");
    try {
      await core.createNamespacedPod({
        namespace: ns,
        body: podOf(name, { terminationGracePeriodSeconds: 1, containers: [sleeper] }),
      });
      await waitPodReady(core, ns, name);
      const ok = await execIn(kc, ns, name, "main", ["sh", "-c", "echo out; echo err >&2"]);
      expect(ok).toMatchObject({ stdout: "out\n", stderr: "err\n", status: { status: "Success" } });
      const failed = await execIn(kc, ns, name, "main", ["sh", "-c", "exit 3"]);
      expect(failed.status.status).toBe("Failure");
      expect(failed.status.reason).toBe("NonZeroExitCode");
      expect(failed.status.details?.causes?.[0]).toMatchObject({ reason: "ExitCode", message: "3" });
      const cat = await execIn(kc, ns, name, "main", ["cat"], "from stdin");
      expect(cat.stdout).toBe("from stdin");
    } finally {
      await deletePod(core, ns, name);
    }
  });

  it("restarts a failing container with a back-off and keeps its last state", async () => {
    const name = uniqueName("crash");
    try {
      await core.createNamespacedPod({
        namespace: ns,
        body: podOf(name, {
          containers: [
            { name: "main", image: "tp-test-busybox:local", command: ["sh", "-c", "echo bye; exit 2"] },
          ],
        }),
      });
      const cs = await waitFor("a restart", async () => {
        const pod = await core.readNamespacedPod({ name, namespace: ns });
        const s = pod.status?.containerStatuses?.[0];
        return s && s.restartCount >= 1 && s.lastState?.terminated ? s : undefined;
      });
      expect(cs.lastState?.terminated).toMatchObject({ exitCode: 2, reason: "Error" });
      const log = await core.readNamespacedPodLog({ name, namespace: ns, container: "main", previous: true });
      expect(log).toBe("bye\n");
    } finally {
      await deletePod(core, ns, name);
    }
  });

  it("makes a failed container's termination message from its file, or from its log's end with FallbackToLogsOnError", async () => {
    const name = uniqueName("message");
    // 100 lines, then exit 3: the message keeps the last 80 lines, at most their last 2048 bytes.
    // stdout and stderr reach the log by two pipes, so lines written at once may swap: "logs"
    // writes its stderr line a moment after its stdout one.
    const container = (n: string, script: string) => ({
      name: n,
      image: "tp-test-busybox:local",
      command: ["sh", "-c", script],
    });
    const fallback = (n: string, script: string) => ({
      ...container(n, script),
      terminationMessagePolicy: "FallbackToLogsOnError",
    });
    const many =
      'i=0; while [ $i -lt 100 ]; do echo "line $i of a long log, padded to make it longer"; i=$((i+1)); done; exit 3';
    try {
      await core.createNamespacedPod({
        namespace: ns,
        body: podOf(name, {
          restartPolicy: "Never",
          containers: [
            fallback("file", "echo said; echo written > /dev/termination-log; exit 1"),
            fallback("logs", "echo first; sleep 0.5; echo last >&2; exit 1"),
            fallback("long", many),
            fallback("ok", "echo fine"),
            container("policy-file", "echo nothing written; exit 1"),
          ],
        }),
      });
      const statuses = await waitFor("every container to end", async () => {
        const pod = await core.readNamespacedPod({ name, namespace: ns });
        const all = pod.status?.containerStatuses ?? [];
        return all.length === 5 && all.every((c) => c.state?.terminated) ? all : undefined;
      });
      const message = (n: string) => statuses.find((c) => c.name === n)?.state?.terminated?.message;
      expect(message("file")).toBe("written\n");
      expect(message("logs")).toBe("first\nlast\n");
      const long = message("long") ?? "";
      expect(long.length).toBe(2048);
      expect(long.endsWith("line 99 of a long log, padded to make it longer\n")).toBe(true);
      // Success, or the File policy: no message from the log.
      expect(message("ok")).toBeUndefined();
      expect(message("policy-file")).toBeUndefined();
      // As a real cluster shows it to kubectl.
      const shown = execFileSync(
        "kubectl",
        [
          "get",
          "pod",
          name,
          "-n",
          ns,
          "-o",
          'jsonpath={.status.containerStatuses[?(@.name=="logs")].state.terminated.message}',
        ],
        { env: { ...process.env, KUBECONFIG: kubeconfigPath }, encoding: "utf8" },
      );
      expect(shown).toBe("first\nlast\n");
    } finally {
      await deletePod(core, ns, name);
    }
  });

  it("deleting a pod stops its containers within the grace period and removes them", async () => {
    const name = uniqueName("delete");
    await core.createNamespacedPod({ namespace: ns, body: podOf(name, { containers: [sleeper] }) });
    const pod = await waitPodReady(core, ns, name);
    const uid = pod.metadata?.uid ?? "";
    const started = Date.now();
    await deletePod(core, ns, name, 2);
    const elapsed = Date.now() - started;
    // sleep ignores SIGTERM as PID 1: it is killed when the 2 s grace period ends.
    expect(elapsed).toBeGreaterThanOrEqual(1500);
    expect(elapsed).toBeLessThan(30_000);
    const left = execFileSync(
      "docker",
      ["ps", "-aq", "--filter", `label=dev.tp.test-cluster.pod-uid=${uid}`],
      {
        encoding: "utf8",
      },
    );
    expect(left.trim()).toBe("");
  });
});
