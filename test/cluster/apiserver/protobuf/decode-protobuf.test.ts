import { describe, expect, it } from "vitest";
import { decodeKubernetesProtobuf } from "./decode-protobuf.js";

function varint(n: number): Buffer {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return Buffer.from(out);
}

const bytes = (field: number, payload: Buffer | string): Buffer => {
  const p = typeof payload === "string" ? Buffer.from(payload) : payload;
  return Buffer.concat([varint((field << 3) | 2), varint(p.length), p]);
};
const int = (field: number, n: number): Buffer => Buffer.concat([varint(field << 3), varint(n)]);
const entry = (field: number, k: string, v: string): Buffer =>
  bytes(field, Buffer.concat([bytes(1, k), bytes(2, v)]));

function envelope(apiVersion: string, kind: string, raw: Buffer): Buffer {
  const typeMeta = Buffer.concat([bytes(1, apiVersion), bytes(2, kind)]);
  return Buffer.concat([Buffer.from("k8s\0"), bytes(1, typeMeta), bytes(2, raw), bytes(3, ""), bytes(4, "")]);
}

describe("protobuf request bodies", () => {
  it("decodes a Namespace as kubectl create namespace sends it, dropping empty fields", () => {
    const meta = Buffer.concat([
      bytes(1, "demo"),
      bytes(2, ""),
      bytes(3, ""),
      bytes(6, ""),
      int(7, 0),
      entry(11, "team", "a"),
    ]);
    const body = envelope(
      "v1",
      "Namespace",
      Buffer.concat([bytes(1, meta), bytes(2, Buffer.alloc(0)), bytes(3, Buffer.alloc(0))]),
    );
    expect(decodeKubernetesProtobuf(body)).toEqual({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "demo", labels: { team: "a" } },
    });
  });

  it("decodes Secret data as base64 and keeps an explicit zero of an optional field", () => {
    const raw = Buffer.concat([bytes(1, bytes(1, "s")), entry(2, "k", "v\u0000"), bytes(3, "Opaque")]);
    expect(decodeKubernetesProtobuf(envelope("v1", "Secret", raw))).toEqual({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "s" },
      data: { k: Buffer.from("v\u0000").toString("base64") },
      type: "Opaque",
    });
    const container = Buffer.concat([bytes(1, "c"), bytes(2, "img")]);
    const spec = Buffer.concat([int(1, 0), bytes(3, bytes(2, bytes(2, container)))]);
    const d = decodeKubernetesProtobuf(
      envelope("apps/v1", "Deployment", Buffer.concat([bytes(1, bytes(1, "d")), bytes(2, spec)])),
    );
    expect(d.spec).toEqual({
      replicas: 0,
      template: { spec: { containers: [{ name: "c", image: "img" }] } },
    });
  });
});
