import { describe, expect, it } from "vitest";
import { exitStatus } from "./remote-command.js";
import { negotiate, portForwardProtocols, remoteCommandProtocols } from "./ws-protocol.js";

describe("remotecommand protocol", () => {
  it("reports a non-zero exit code as a kubelet's Status", () => {
    expect(exitStatus(0, ["true"])).toEqual({ metadata: {}, status: "Success" });
    expect(exitStatus(3, ["sh", "-c", "exit 3"])).toMatchObject({
      status: "Failure",
      reason: "NonZeroExitCode",
      details: { causes: [{ reason: "ExitCode", message: "3" }] },
    });
  });
  it("picks the first offered protocol the server supports", () => {
    const offered = new Set(["v5.channel.k8s.io", "v4.channel.k8s.io", "channel.k8s.io"]);
    expect(negotiate(offered, remoteCommandProtocols)).toBe("v5.channel.k8s.io");
    expect(negotiate(offered, portForwardProtocols)).toBe("v4.channel.k8s.io");
    expect(negotiate(new Set(["SPDY/3.1"]), portForwardProtocols)).toBe(false);
  });
});
