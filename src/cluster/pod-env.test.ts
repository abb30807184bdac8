import { describe, expect, it } from "vitest";
import { userVariables } from "./pod-env.js";

describe("userVariables", () => {
  it("keeps the pod's variables and drops those of the agent's container and launcher shell", () => {
    expect(
      userVariables({
        FROM_POD: "1",
        KUBERNETES_SERVICE_HOST: "10.0.0.1",
        HOME: "/home/tp",
        PATH: "/usr/bin",
        HOSTNAME: "web-tp-1",
        PWD: "/",
        SHLVL: "1",
        TP_AGENT_ROLE: "proxy",
      }),
    ).toEqual({ FROM_POD: "1", KUBERNETES_SERVICE_HOST: "10.0.0.1" });
  });
});
