import type { PodResolvConf } from "../contract/tunnel-protocol.js";

/** Parse resolv.conf text: nameservers, search list (the last search/domain line wins), ndots. */
export function parseResolvConf(text: string): PodResolvConf {
  const conf: PodResolvConf = { nameservers: [], search: [], ndots: 1 };
  for (const raw of text.split("\n")) {
    const line = raw.replace(/[#;].*$/, "").trim();
    const [key, ...values] = line.split(/\s+/);
    if (key === "nameserver" && values[0]) conf.nameservers.push(values[0]);
    else if (key === "search" || key === "domain") conf.search = values.filter(Boolean);
    else if (key === "options") {
      for (const option of values) {
        const m = /^ndots:(\d+)$/.exec(option);
        if (m?.[1]) conf.ndots = Math.min(15, Number(m[1]));
      }
    }
  }
  return conf;
}

/** resolv.conf text that sends every query to `nameserver` with the pod's search list and ndots. */
export function renderResolvConf(nameserver: string, pod?: Pick<PodResolvConf, "search" | "ndots">): string {
  const lines = ["# written by tp-agent: DNS goes through the cluster", `nameserver ${nameserver}`];
  if (pod && pod.search.length > 0) lines.push(`search ${pod.search.join(" ")}`);
  if (pod) lines.push(`options ndots:${pod.ndots}`);
  return lines.join("\n") + "\n";
}
