import type { V1LimitRange, V1ResourceQuota } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { agentResources } from "./agent-resources.js";

const quota = (
  hard: Record<string, string>,
  spec: Partial<V1ResourceQuota["spec"]> = {},
): V1ResourceQuota => ({
  metadata: { name: "q" },
  spec: { hard, ...spec },
});
const range = (limits: object[]): V1LimitRange => ({
  metadata: { name: "lr" },
  spec: { limits: limits as never },
});

describe("the resources of tp's own pods", () => {
  it("asks for nothing where no quota requires it", () => {
    expect(agentResources([], [])).toBeUndefined();
    expect(agentResources([quota({ pods: "10", "count/configmaps": "5" })], [])).toBeUndefined();
    // Scoped to pods that state resources, or to pods with a deadline: tp's pods stay outside.
    expect(
      agentResources(
        [
          quota({ "limits.cpu": "2" }, { scopes: ["NotBestEffort"] }),
          quota({ cpu: "1" }, { scopes: ["Terminating"] }),
        ],
        [],
      ),
    ).toBeUndefined();
  });

  it("states what a quota tracks, and a request beside each limit", () => {
    expect(agentResources([quota({ "requests.cpu": "1", "requests.memory": "1Gi" })], [])).toEqual({
      requests: { cpu: "10m", memory: "64Mi" },
    });
    expect(agentResources([quota({ "limits.memory": "1Gi" })], [])).toEqual({
      requests: { memory: "64Mi" },
      limits: { memory: "256Mi" },
    });
    expect(
      agentResources([quota({ cpu: "1", memory: "1Gi", "limits.cpu": "2", "limits.memory": "2Gi" })], []),
    ).toEqual({ requests: { cpu: "10m", memory: "64Mi" }, limits: { cpu: "1", memory: "256Mi" } });
  });

  it("then also what a quota of pods that state resources tracks", () => {
    expect(
      agentResources(
        [quota({ "requests.cpu": "1" }), quota({ "limits.memory": "1Gi" }, { scopes: ["NotBestEffort"] })],
        [],
      ),
    ).toEqual({ requests: { cpu: "10m", memory: "64Mi" }, limits: { memory: "256Mi" } });
  });

  it("reads scope selectors as the quota admission does for a pod without a priority class", () => {
    const selector = (operator: string) =>
      quota(
        { "requests.cpu": "1" },
        {
          scopeSelector: { matchExpressions: [{ scopeName: "PriorityClass", operator, values: ["high"] }] },
        },
      );
    expect(agentResources([selector("In")], [])).toBeUndefined();
    expect(agentResources([selector("NotIn")], [])).toEqual({ requests: { cpu: "10m" } });
  });

  it("keeps within the limit ranges' min, max and ratio", () => {
    const all = quota({
      "requests.cpu": "4",
      "requests.memory": "4Gi",
      "limits.cpu": "8",
      "limits.memory": "8Gi",
    });
    expect(
      agentResources(
        [all],
        [
          range([
            {
              type: "Container",
              min: { cpu: "50m", memory: "128Mi" },
              max: { cpu: "500m", memory: "192Mi" },
            },
          ]),
        ],
      ),
    ).toEqual({ requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "500m", memory: "192Mi" } });
    // limit / request at most 4: 1 cpu asks for 250m; 256Mi for 64Mi (already so).
    expect(
      agentResources(
        [all],
        [range([{ type: "Container", maxLimitRequestRatio: { cpu: "4", memory: "4" } }])],
      ),
    ).toEqual({ requests: { cpu: "250m", memory: "64Mi" }, limits: { cpu: "1", memory: "256Mi" } });
  });

  it("keeps a request under the limit a limit range fills in", () => {
    expect(
      agentResources(
        [quota({ "requests.memory": "1Gi" })],
        [range([{ type: "Container", _default: { memory: "32Mi" } }])],
      ),
    ).toEqual({ requests: { memory: "32Mi" } });
  });
});
