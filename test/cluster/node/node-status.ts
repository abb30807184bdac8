import { cpus, release, totalmem } from "node:os";
import { ApiError, type ApiClient } from "./api-client.js";

export interface NodeInfo {
  name: string;
  ip: string;
  runtimeVersion: string;
}

function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Registers the Node object and keeps its status and Lease fresh, like the kubelet's node status loop. */
export class NodeStatus {
  private timer: NodeJS.Timeout | undefined;
  private readonly since = now();

  constructor(
    private readonly api: ApiClient,
    private readonly info: NodeInfo,
    private readonly log: (msg: string) => void,
  ) {}

  private status(): Record<string, unknown> {
    const t = now();
    const cond = (type: string, status: string, reason: string, message: string) => ({
      type,
      status,
      reason,
      message,
      lastHeartbeatTime: t,
      lastTransitionTime: this.since,
    });
    const capacity = {
      cpu: String(cpus().length),
      memory: `${Math.floor(totalmem() / 1024)}Ki`,
      pods: "110",
      "ephemeral-storage": "20Gi",
    };
    return {
      capacity,
      allocatable: capacity,
      conditions: [
        cond(
          "MemoryPressure",
          "False",
          "KubeletHasSufficientMemory",
          "kubelet has sufficient memory available",
        ),
        cond("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
        cond("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
        cond("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
      ],
      addresses: [
        { type: "InternalIP", address: this.info.ip },
        { type: "Hostname", address: this.info.name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: "tp-test-node",
        systemUUID: "tp-test-node",
        bootID: this.since,
        kernelVersion: release(),
        osImage: "tp test cluster",
        containerRuntimeVersion: this.info.runtimeVersion,
        kubeletVersion: "v1.32.0",
        kubeProxyVersion: "v1.32.0",
        operatingSystem: "linux",
        architecture: process.arch === "x64" ? "amd64" : process.arch,
      },
    };
  }

  async register(): Promise<void> {
    const name = this.info.name;
    try {
      await this.api.request("POST", "/api/v1/nodes", {
        apiVersion: "v1",
        kind: "Node",
        metadata: {
          name,
          labels: {
            "kubernetes.io/hostname": name,
            "kubernetes.io/os": "linux",
            "kubernetes.io/arch": process.arch === "x64" ? "amd64" : process.arch,
            "node-role.kubernetes.io/control-plane": "",
          },
        },
        spec: { podCIDR: "10.244.64.0/18", podCIDRs: ["10.244.64.0/18"] },
        status: this.status(),
      });
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 409)) throw e;
    }
    await this.heartbeat();
    this.timer = setInterval(() => void this.heartbeat(), 10_000);
  }

  private async heartbeat(): Promise<void> {
    try {
      await this.api.request(
        "PATCH",
        `/api/v1/nodes/${this.info.name}/status`,
        { status: this.status() },
        "application/merge-patch+json",
      );
    } catch (e) {
      this.log(`node status: ${e}`);
    }
    await this.renewLease().catch(() => undefined);
  }

  private async renewLease(): Promise<void> {
    const path = `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${this.info.name}`;
    const spec = {
      holderIdentity: this.info.name,
      leaseDurationSeconds: 40,
      renewTime: new Date().toISOString().replace("Z", "000Z"),
    };
    try {
      await this.api.request("PATCH", path, { spec }, "application/merge-patch+json");
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 404)) throw e;
      await this.api.request("POST", `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases`, {
        apiVersion: "coordination.k8s.io/v1",
        kind: "Lease",
        metadata: { name: this.info.name, namespace: "kube-node-lease" },
        spec,
      });
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
