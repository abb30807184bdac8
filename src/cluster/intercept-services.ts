import type { V1Service } from "@kubernetes/client-node";
import { InterceptKeys } from "../contract/intercept-record.js";
import { Labels, managedByValue } from "../contract/cluster-labels.js";
import { describeRef } from "../contract/workload-ref.js";
import { UsageError } from "../errors.js";
import { originalSelector } from "../kube/intercept-undo.js";
import { kubeCall } from "../kube/kube-call.js";
import type { Kube } from "../kube/kube.js";
import type { FoundWorkload } from "./workloads.js";

/** One TCP port of an intercepted Service, its targetPort resolved against the pod template. */
export interface InterceptedPort {
  /** The Service's port number (what the shadow Service serves too). */
  port: number;
  /** The port number in the workload's pods: where the router and the session's proxy listen. */
  targetPort: number;
  /** The container port's name (the Service's targetPort when it names one). */
  name?: string;
  /** The router must not look into it (the port's appProtocol or name says it is not HTTP). */
  raw: boolean;
}

export interface InterceptedService {
  service: V1Service;
  name: string;
  /** The selector that picks the workload's pods (the recorded one while tp points it elsewhere). */
  selector: Record<string, string>;
  ports: InterceptedPort[];
}

/** The selector a Service has of its own: the recorded original while it selects a router. */
export function ownSelector(service: V1Service): Record<string, string> {
  return originalSelector(service) ?? service.spec?.selector ?? {};
}

function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  const keys = Object.keys(selector);
  return keys.length > 0 && keys.every((k) => labels[k] === selector[k]);
}

/** Names and app protocols of ports whose bytes are not HTTP (the router passes them through). */
const notHttp =
  /^(tcp|udp|sctp|tls|https|ssh|smtp|imap|pop3|ldaps?|redis|mysql|mariadb|postgres(ql)?|pg|mongo(db)?|amqps?|kafka|memcached?|zookeeper|zk|cassandra|cql|nats|mqtt|stomp|dns|rtmp|jdbc|mssql|oracle|sql|db)([-_.].*)?$/;

/** Whether a Service port carries something other than HTTP, as its appProtocol or name says. */
export function isRawPort(p: { name?: string; appProtocol?: string }): boolean {
  const proto = p.appProtocol?.toLowerCase().replace(/^kubernetes\.io\//, "");
  if (proto) return notHttp.test(proto);
  return notHttp.test((p.name ?? "").toLowerCase());
}

/** The Service's TCP ports with their targetPorts resolved against the workload's pod template. */
export function interceptedPorts(service: V1Service, found: FoundWorkload): InterceptedPort[] {
  const containerPorts = (found.object.spec?.template?.spec?.containers ?? []).flatMap((c) => c.ports ?? []);
  const out: InterceptedPort[] = [];
  for (const p of service.spec?.ports ?? []) {
    if ((p.protocol ?? "TCP") !== "TCP") continue;
    const target = p.targetPort as number | string | undefined;
    let number: number | undefined;
    let name: string | undefined;
    if (typeof target === "string" && !/^\d+$/.test(target)) {
      const named = containerPorts.find((c) => c.name === target && (c.protocol ?? "TCP") === "TCP");
      // A name no container has: kube-proxy has no endpoint for it either.
      if (!named) continue;
      number = named.containerPort;
      name = target;
    } else {
      number = target === undefined ? p.port : Number(target);
      name = containerPorts.find((c) => c.containerPort === number && (c.protocol ?? "TCP") === "TCP")?.name;
    }
    if (out.some((o) => o.targetPort === number)) continue;
    out.push({
      port: p.port,
      targetPort: number,
      ...(name ? { name } : {}),
      raw: isRawPort({
        ...(p.name ? { name: p.name } : {}),
        ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}),
      }),
    });
  }
  return out;
}

/**
 * The Service to intercept: among the namespace's Services, those whose selector picks the
 * workload's pod template (tp's own shadow Services aside); `wanted` (--service) picks one. A
 * clear usage error when none does, when `wanted` is not one of them, or when several do and
 * none is named.
 */
export async function findInterceptedService(
  kube: Kube,
  namespace: string,
  found: FoundWorkload,
  wanted: string | undefined,
): Promise<InterceptedService> {
  const list = await kubeCall(`list services in ${namespace}`, () =>
    kube.core.listNamespacedService({ namespace }),
  );
  const labels = found.object.spec?.template?.metadata?.labels ?? {};
  const id = describeRef(found.ref, namespace);
  const candidates = list.items.filter((s) => {
    const own = s.metadata?.labels ?? {};
    if (own[Labels.managedBy] === managedByValue && InterceptKeys.intercept in own) return false;
    return selects(ownSelector(s), labels);
  });
  const names = candidates.map((s) => s.metadata?.name ?? "");
  let chosen: V1Service | undefined;
  if (wanted !== undefined) {
    chosen = candidates.find((s) => s.metadata?.name === wanted);
    if (!chosen)
      throw new UsageError(`service "${wanted}" does not select the pods of ${id}`, {
        hint: names.length ? `services that do: ${names.join(", ")}` : "no service in the namespace does",
      });
  } else if (candidates.length === 1) chosen = candidates[0];
  else if (candidates.length === 0)
    throw new UsageError(`no service selects the pods of ${id}: there is no traffic to intercept`, {
      hint: "use --swap-deployment to replace its pods, or create a Service for it",
    });
  else
    throw new UsageError(`${candidates.length} services select the pods of ${id}: say which one`, {
      hint: `--service NAME with NAME one of ${names.join(", ")}`,
    });
  const service = chosen as V1Service;
  const name = service.metadata?.name as string;
  const ports = interceptedPorts(service, found);
  if (!ports.length)
    throw new UsageError(`service ${namespace}/${name} has no TCP port that reaches the pods of ${id}`);
  return { service, name, selector: ownSelector(service), ports };
}

/**
 * Every TCP --expose REMOTE must be one of the intercepted ports (the router sends a session only
 * the Service's traffic, at the pods' port numbers).
 */
export function checkExposeMatches(
  target: InterceptedService,
  expose: { remotePort: number; protocol?: string }[],
  namespace: string,
): void {
  const ports = target.ports.map((p) => p.targetPort);
  const wrong = expose.filter((e) => (e.protocol ?? "tcp") === "tcp" && !ports.includes(e.remotePort));
  if (!wrong.length) return;
  const shown = target.ports.map((p) => `${p.port}→${p.targetPort}`).join(", ");
  throw new UsageError(
    `--expose ${wrong.map((e) => e.remotePort).join(", ")}: service ${namespace}/${target.name} sends no traffic there (its ports: ${shown})`,
    { hint: `expose one of the pods' ports the Service reaches: --expose LOCAL:${ports[0]}` },
  );
}
