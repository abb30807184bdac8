import { createPublicKey, createSign, createVerify, createHash, type KeyObject } from "node:crypto";
import { newUid } from "../registry/names.js";

export const issuer = "https://kubernetes.default.svc.cluster.local";

export interface TokenClaims {
  iss: string;
  sub: string;
  aud: string[];
  exp: number;
  iat: number;
  nbf: number;
  jti: string;
  "kubernetes.io": {
    namespace: string;
    serviceaccount: { name: string; uid: string };
    pod?: { name: string; uid: string };
    node?: { name: string; uid: string };
  };
}

export interface BoundObject {
  kind: string;
  name: string;
  uid: string;
}

const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString("base64url");

/**
 * Service account tokens as the TokenRequest API issues them: JWTs signed with the server key
 * (ES256 for the P-256 key cluster:up makes, RS256 for an RSA key).
 */
export class ServiceAccountTokens {
  private readonly publicKey: KeyObject;
  private readonly kid: string;
  private readonly alg: "ES256" | "RS256";

  constructor(private readonly privateKeyPem: string) {
    this.publicKey = createPublicKey(privateKeyPem);
    this.alg = this.publicKey.asymmetricKeyType === "ec" ? "ES256" : "RS256";
    this.kid = createHash("sha256")
      .update(this.publicKey.export({ type: "spki", format: "der" }))
      .digest("base64url");
  }

  issue(
    ns: string,
    sa: { name: string; uid: string },
    seconds: number,
    audiences: string[],
    bound?: BoundObject,
  ): { token: string; claims: TokenClaims } {
    const now = Math.floor(Date.now() / 1000);
    const claims: TokenClaims = {
      iss: issuer,
      sub: `system:serviceaccount:${ns}:${sa.name}`,
      aud: audiences.length ? audiences : [issuer],
      exp: now + seconds,
      iat: now,
      nbf: now,
      jti: newUid(),
      "kubernetes.io": { namespace: ns, serviceaccount: sa },
    };
    if (bound?.kind === "Pod") claims["kubernetes.io"].pod = { name: bound.name, uid: bound.uid };
    const head = b64({ alg: this.alg, kid: this.kid });
    const body = b64(claims);
    const sig = createSign("SHA256")
      .update(`${head}.${body}`)
      .sign({ key: this.privateKeyPem, dsaEncoding: "ieee-p1363" })
      .toString("base64url");
    return { token: `${head}.${body}.${sig}`, claims };
  }

  /** The claims of a valid, unexpired token of ours, else undefined. */
  verify(token: string): TokenClaims | undefined {
    const parts = token.split(".");
    if (parts.length !== 3) return undefined;
    const [head, body, sig] = parts as [string, string, string];
    let ok = false;
    try {
      ok = createVerify("SHA256")
        .update(`${head}.${body}`)
        .verify({ key: this.publicKey, dsaEncoding: "ieee-p1363" }, Buffer.from(sig, "base64url"));
    } catch {
      return undefined;
    }
    if (!ok) return undefined;
    try {
      const claims = JSON.parse(Buffer.from(body, "base64url").toString()) as TokenClaims;
      if (claims.iss !== issuer || claims.exp < Date.now() / 1000) return undefined;
      return claims;
    } catch {
      return undefined;
    }
  }
}
