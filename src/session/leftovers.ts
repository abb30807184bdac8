import type Dockerode from "dockerode";
import { listClusterSessions } from "../cluster/sessions.js";
import type { Kube } from "../kube/kube.js";
import { listLocalSessions } from "../docker/local-sessions.js";
import { listLocalRecords } from "./local-record.js";
import type { Reporter } from "./reporter.js";

/** Tell the user about what crashed sessions left behind (once, before starting a new one). */
export async function warnAboutLeftovers(
  kube: Kube,
  docker: Dockerode,
  namespace: string,
  progress: Reporter,
): Promise<void> {
  const [local, remote, records] = await Promise.all([
    listLocalSessions(docker),
    listClusterSessions(kube, namespace),
    listLocalRecords(),
  ]);
  const withContainers = new Set(local.map((s) => s.id));
  const orphans = [
    ...local
      .filter((s) => !s.live)
      .map((s) => `local containers of session ${s.id} (${s.containers.map((c) => c.name).join(", ")})`),
    ...records
      .filter((r) => !r.live && !withContainers.has(r.id))
      .map((r) => `local folders of session ${r.id}`),
    ...remote
      .filter((s) => !s.live)
      .map((s) => `session ${s.id} in ${s.namespace}${s.deployment ? ` (deployment ${s.deployment})` : ""}`),
  ];
  if (orphans.length)
    progress.warn(`a crashed tp session left things behind: ${orphans.join("; ")}; run \`tp cleanup\``);
}
