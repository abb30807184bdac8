import { execa, type ResultPromise } from "execa";
import { kubeconfig } from "../support/cluster.js";

/**
 * The pods in each list of an Endpoints object, one line per change. (A jsonpath template ends
 * kubectl's watch at the first object without subsets.)
 */
const columns =
  "custom-columns=READY:.subsets[*].addresses[*].targetRef.name," +
  "NOT-READY:.subsets[*].notReadyAddresses[*].targetRef.name";

/**
 * A Service's Endpoints as they change (real kubectl's watch), each change with when it was seen:
 * for a failure's report, which pods the Service sent connections to meanwhile.
 */
export class EndpointsHistory {
  private readonly changes: { at: number; text: string }[] = [];
  private readonly watch: ResultPromise;
  private partial = "";

  constructor(namespace: string, service: string) {
    this.watch = execa(
      "kubectl",
      [
        "--kubeconfig",
        kubeconfig,
        "get",
        "endpoints",
        service,
        "-n",
        namespace,
        "-w",
        "--no-headers",
        "-o",
        columns,
      ],
      { reject: false, buffer: false, stdin: "ignore", stderr: "ignore" },
    );
    this.watch.stdout?.on("data", (chunk: Buffer) => {
      const lines = (this.partial + chunk.toString()).split("\n");
      this.partial = lines.pop() ?? "";
      for (const text of lines) this.changes.push({ at: Date.now(), text });
    });
  }

  /**
   * The changes seen since `origin` (ms since the epoch), the last one before it first: seconds
   * after it, the ready pods, the pods not ready.
   */
  since(origin: number): string {
    const after = this.changes.findIndex((c) => c.at >= origin);
    const first = Math.max(0, (after === -1 ? this.changes.length : after) - 1);
    const shown = this.changes.slice(first).map((c) => `${((c.at - origin) / 1000).toFixed(2)} ${c.text}`);
    const ended = this.watch.exitCode !== null || this.watch.signalCode !== null ? ["(the watch ended)"] : [];
    return [...shown, ...ended].join("\n");
  }

  stop(): void {
    this.watch.kill();
  }
}
