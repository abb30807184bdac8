import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apply, createNamespace, kubectl, requireCluster, until } from "./support/cluster.js";

let ns: Awaited<ReturnType<typeof createNamespace>>;

const image = "tp-test-busybox:local";

beforeAll(async () => {
  requireCluster();
  ns = await createNamespace("tp-quota");
}, 60_000);

afterAll(async () => {
  await ns?.remove();
});

const inNs = (args: string[]) => kubectl(["-n", ns.name, ...args]);

/** What kubectl prints when the server refuses (the command must fail). */
async function refusal(args: string[], input?: string): Promise<string> {
  const out = await kubectl(["-n", ns.name, ...args], input).then(
    (stdout) => `succeeded: ${stdout}`,
    (err: { stderr?: string }) => err.stderr ?? String(err),
  );
  return out.trim();
}

const limitRange = `
apiVersion: v1
kind: LimitRange
metadata: { name: limits }
spec:
  limits:
    - type: Container
      default: { cpu: 200m, memory: 64Mi }
      defaultRequest: { cpu: 100m, memory: 32Mi }
      max: { memory: 128Mi }
`;

const deployment = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: 3
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      terminationGracePeriodSeconds: 1
      containers: [{ name: main, image: ${image}, command: [sleep, "3600"] }]
`;

function podAsking(name: string, resources: object): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name },
    spec: { containers: [{ name: "main", image, command: ["sleep", "3600"], resources }] },
  });
}

describe("ResourceQuota and LimitRange in the test cluster", () => {
  it(
    "default a pod's resources, count them, refuse what exceeds, and hold a Deployment at the quota",
    { timeout: 240_000 },
    async () => {
      await inNs(["create", "quota", "q", "--hard=pods=3,requests.cpu=1,requests.memory=256Mi"]);
      await apply(ns.name, limitRange);
      const listed = await inNs(["get", "quota,limits"]);
      expect(listed).toMatch(/resourcequota\/q\s/);
      expect(listed).toMatch(/limitrange\/limits\s/);

      // A pod without resources gets the LimitRange's defaults and is admitted.
      await inNs(["run", "solo", `--image=${image}`, "--restart=Never", "--command", "--", "sleep", "3600"]);
      const solo = JSON.parse(await inNs(["get", "pod", "solo", "-o", "json"]));
      expect(solo.spec.containers[0].resources).toEqual({
        requests: { cpu: "100m", memory: "32Mi" },
        limits: { cpu: "200m", memory: "64Mi" },
      });
      expect(solo.metadata.annotations["kubernetes.io/limit-ranger"]).toBe(
        "LimitRanger plugin set: cpu, memory request for container solo; cpu, memory limit for container solo",
      );
      const used = (pods: number, cpu: string, memory: string) => async () => {
        const text = await inNs(["describe", "quota", "q"]);
        return (
          new RegExp(`pods\\s+${pods}\\s+3\\n`).test(text) &&
          new RegExp(`requests.cpu\\s+${cpu}\\s+1\\n`).test(text) &&
          new RegExp(`requests.memory\\s+${memory}\\s+256Mi`).test(text)
        );
      };
      await until("kubectl describe quota shows the pod's use", used(1, "100m", "32Mi"), 20_000, 500);
      expect(await inNs(["get", "quota", "q", "--no-headers"])).toMatch(
        /^q\s+\S+\s+pods: 1\/3, requests.cpu: 100m\/1, requests.memory: 32Mi\/256Mi\s*$/,
      );

      // Over the quota, over the LimitRange: refused with the real servers' messages.
      expect(await refusal(["create", "-f", "-"], podAsking("big", { requests: { cpu: "2" } }))).toBe(
        'Error from server (Forbidden): error when creating "STDIN": pods "big" is forbidden: exceeded quota: q, requested: requests.cpu=2, used: requests.cpu=100m, limited: requests.cpu=1',
      );
      expect(await refusal(["create", "-f", "-"], podAsking("fat", { limits: { memory: "256Mi" } }))).toBe(
        'Error from server (Forbidden): error when creating "STDIN": pods "fat" is forbidden: maximum memory usage per Container is 128Mi, but limit is 256Mi',
      );

      // A Deployment of 3 gets 2 pods beside solo; the third comes once solo is gone.
      await apply(ns.name, deployment);
      const failed = async () => {
        const events = JSON.parse(
          await inNs(["get", "events", "--field-selector", "reason=FailedCreate", "-o", "json"]),
        );
        return (events.items as { message: string }[]).map((e) => e.message);
      };
      await until(
        "the ReplicaSet reports the refused pod",
        async () => (await failed()).length > 0,
        30_000,
        500,
      );
      expect((await failed())[0]).toMatch(
        /^Error creating: pods "web-[a-z0-9]+-" is forbidden: exceeded quota: q, requested: pods=1, used: pods=3, limited: pods=3$/,
      );
      const webPods = async () =>
        (await inNs(["get", "pods", "-l", "app=web", "--no-headers"])).split("\n").filter(Boolean);
      expect(await webPods()).toHaveLength(2);
      await inNs(["delete", "pod", "solo", "--grace-period=1"]);
      await kubectl(["rollout", "status", "-n", ns.name, "deployment/web", "--timeout=60s"]);
      expect(await webPods()).toHaveLength(3);
      await until("kubectl describe quota shows the Deployment's use", used(3, "300m", "96Mi"), 20_000, 500);
    },
  );
});
