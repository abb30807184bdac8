import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ServiceAccountTokens } from "./service-account-tokens.js";

describe("service account tokens", () => {
  for (const type of ["ec", "rsa"] as const) {
    it(`signs and verifies with a ${type} key, naming the algorithm in the header`, () => {
      const { privateKey } =
        type === "ec"
          ? generateKeyPairSync("ec", { namedCurve: "prime256v1" })
          : generateKeyPairSync("rsa", { modulusLength: 2048 });
      const tokens = new ServiceAccountTokens(privateKey.export({ type: "pkcs8", format: "pem" }).toString());
      const { token } = tokens.issue("ns", { name: "sa", uid: "u" }, 600, []);
      const header = JSON.parse(Buffer.from(token.split(".")[0]!, "base64url").toString()) as { alg: string };
      expect(header.alg).toBe(type === "ec" ? "ES256" : "RS256");
      expect(tokens.verify(token)?.sub).toBe("system:serviceaccount:ns:sa");
      const [h, b] = token.split(".");
      expect(tokens.verify(`${h}.${b}.AAAA`)).toBeUndefined();
    });
  }
});
