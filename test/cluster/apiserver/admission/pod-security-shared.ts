import type { V1Container, V1ObjectMeta, V1PodSpec } from "@kubernetes/client-node";

/** A check's failure, as the real policy package words it. */
export interface CheckResult {
  reason: string;
  detail: string;
}

export type Check = (meta: V1ObjectMeta, spec: V1PodSpec) => CheckResult | undefined;

export const pluralize = (one: string, many: string, n: number): string => (n === 1 ? one : many);
export const joinQuote = (items: string[]): string => (items.length ? `"${items.join('", "')}"` : "");
export const sorted = (items: Iterable<string>): string[] => [...new Set(items)].sort();
export const containersOf = (n: number): string => pluralize("container", "containers", n);

export function containers(spec: V1PodSpec): V1Container[] {
  return [
    ...(spec.initContainers ?? []),
    ...(spec.containers ?? []),
    ...((spec.ephemeralContainers ?? []) as V1Container[]),
  ];
}

/** "pod and containers "a", "b"" — who set a forbidden value. */
export function setters(pod: boolean, bad: string[]): string[] {
  const out = pod ? ["pod"] : [];
  if (bad.length) out.push(`${containersOf(bad.length)} ${joinQuote(bad)}`);
  return out;
}
