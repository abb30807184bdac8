import { createHash, randomBytes, randomUUID } from "node:crypto";

// k8s.io/apimachinery/pkg/util/rand: consonants and digits that cannot spell words.
const alphanums = "bcdfghjklmnpqrstvwxz2456789";

export function randomSuffix(n = 5): string {
  const bytes = randomBytes(n);
  let s = "";
  for (const b of bytes) s += alphanums[b % alphanums.length];
  return s;
}

export function newUid(): string {
  return randomUUID();
}

/** rand.SafeEncodeString: the pod-template-hash alphabet. */
export function safeEncode(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) out += alphanums[s.charCodeAt(i) % alphanums.length];
  return out;
}

/** FNV-32a of the text, as the deployment controller hashes a pod template. */
export function fnv32a(text: string): number {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(text)) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function shortHash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dns1035Label = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

export function isDns1123Subdomain(name: string): boolean {
  return name.length <= 253 && name.split(".").every((p) => dns1123Label.test(p));
}

export function isDns1123Label(name: string): boolean {
  return name.length <= 63 && dns1123Label.test(name);
}

export function isDns1035Label(name: string): boolean {
  return name.length <= 63 && dns1035Label.test(name);
}

export const dns1123SubdomainMessage =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

export const dns1123LabelMessage =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

export const dns1035LabelMessage =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
