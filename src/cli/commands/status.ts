import { Command } from "commander";
import { listClusterSessions, type ClusterSession } from "../../cluster/sessions.js";
import { listIntercepts } from "../../cluster/intercept-list.js";
import { listLocalSessions, type LocalSession } from "../../docker/local-sessions.js";
import { dockerFrom, kubeFrom } from "../clients.js";
import type { GlobalOptions } from "../options.js";
import { examples } from "../examples.js";

export interface SessionStatus {
  id: string;
  namespace?: string;
  deployment?: string;
  kind?: string;
  state: "live" | "orphaned";
  startedAt?: string;
  ageSeconds?: number;
  containers: string[];
  objects: string[];
}

export function mergeSessions(
  cluster: ClusterSession[],
  local: LocalSession[],
  now = Date.now(),
): SessionStatus[] {
  const out = new Map<string, SessionStatus>();
  for (const s of cluster) {
    out.set(s.id, {
      id: s.id,
      namespace: s.namespace,
      deployment: s.deployment,
      kind: s.kind,
      state: s.live ? "live" : "orphaned",
      startedAt: s.startedAt,
      ageSeconds: s.startedAt ? Math.round((now - Date.parse(s.startedAt)) / 1000) : undefined,
      containers: [],
      objects: s.objects,
    });
  }
  for (const l of local) {
    // A session whose cluster end is in a namespace not listed: its namespace from the sidecar's
    // label (NAMESPACE/POD), so that the row says where to look.
    const s = out.get(l.id) ?? {
      id: l.id,
      ...(l.remote?.includes("/") ? { namespace: l.remote.split("/")[0] } : {}),
      state: l.live ? "live" : "orphaned",
      containers: [],
      objects: [],
    };
    s.containers = l.containers.map((c) => `${c.name} (${c.state})`);
    if (!l.live) s.state = "orphaned";
    out.set(l.id, s);
  }
  return [...out.values()];
}

function age(seconds: number | undefined): string {
  if (seconds === undefined) return "-";
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`;
  return `${Math.round(seconds / 3600)}h`;
}

export const statusCommand = new Command("status")
  .description("list live and orphaned tp sessions, and the intercepts of the namespace's Services")
  .option("-A, --all-namespaces", "look in every namespace")
  .action(async function (this: Command, opts: { allNamespaces?: boolean }) {
    const global = this.optsWithGlobals<GlobalOptions>();
    const kube = kubeFrom(global);
    const namespace = opts.allNamespaces ? undefined : kube.namespace;
    const [cluster, local, intercepts] = await Promise.all([
      listClusterSessions(kube, namespace),
      listLocalSessions(dockerFrom()),
      listIntercepts(kube, namespace),
    ]);
    const sessions = mergeSessions(cluster, local);
    if (global.output === "json") {
      process.stdout.write(JSON.stringify({ sessions, intercepts }, null, 2) + "\n");
      return;
    }
    if (sessions.length === 0) process.stdout.write("no tp sessions\n");
    else printTable(sessionRows(sessions));
    if (intercepts.length) {
      process.stdout.write("\n");
      printTable([
        ["SERVICE", "SESSION", "WORKLOAD", "FILTER", "MIRROR"],
        ...intercepts.map((i) => [
          namespace === undefined ? `${i.namespace}/${i.service}` : i.service,
          i.leaving ? `${i.session} (leaving)` : i.session,
          i.workload,
          i.filter,
          i.mirror ? "yes" : "no",
        ]),
      ]);
    }
  });

function sessionRows(sessions: SessionStatus[]): string[][] {
  const rows = [["SESSION", "STATE", "NAMESPACE", "WORKLOAD", "AGE", "CONTAINERS"]];
  for (const s of sessions) {
    rows.push([
      s.id,
      s.state,
      s.namespace ?? "-",
      s.deployment ?? "-",
      age(s.ageSeconds),
      s.containers.join(",") || "-",
    ]);
  }
  return rows;
}

function printTable(rows: string[][]): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  for (const r of rows)
    process.stdout.write(
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join("  ")
        .trimEnd() + "\n",
    );
}

examples(statusCommand, [
  ["tp status", "sessions in the current namespace"],
  ["tp status -A -o json", "every namespace, as JSON"],
  ["tp status -n shop", "also every intercept of shop's Services, with its filter"],
]);
