import { Command } from "commander";
import { cleanupClusterSession, listClusterSessions } from "../../cluster/sessions.js";
import { cleanupIntercepts } from "../../cluster/intercept-list.js";
import { listLocalSessions, removeLocalSession } from "../../docker/local-sessions.js";
import { removeSocketFolder } from "../../docker/socket-folder.js";
import { rootRemover } from "../../docker/root-remover.js";
import { removeLocalLeftovers } from "../../session/local-leftovers.js";
import { listLocalRecords } from "../../session/local-record.js";
import { isSessionFolder, removeSessionFolder } from "../../volumes/index.js";
import { configuredAgentImage } from "../config/index.js";
import { dockerFrom, kubeFrom, progressFrom } from "../clients.js";
import type { GlobalOptions } from "../options.js";
import { examples } from "../examples.js";

export const cleanupCommand = new Command("cleanup")
  .description(
    "undo what crashed tp sessions left behind: restore swapped workloads, remove intercepts, delete proxies, remove containers",
  )
  .option("-A, --all-namespaces", "look in every namespace")
  .option("--session <id>", "clean up this session even if it still looks alive")
  .action(async function (this: Command, opts: { allNamespaces?: boolean; session?: string }) {
    const global = this.optsWithGlobals<GlobalOptions>();
    const progress = progressFrom(global);
    const kube = kubeFrom(global);
    const docker = dockerFrom();
    const done: string[] = [];
    const pick = <T extends { id: string; live: boolean }>(s: T) =>
      opts.session ? s.id === opts.session : !s.live;
    const removeAsRoot = rootRemover(docker, configuredAgentImage());
    const local = await listLocalSessions(docker);
    // A session whose tp died on this machine is undone now, before its Lease runs out.
    const diedHere = new Set(local.filter((s) => !s.live).map((s) => s.id));
    for (const s of local.filter(pick)) {
      for (const name of await removeLocalSession(docker, s)) done.push(`container ${name} removed`);
      if (s.volumes && !(await isSessionFolder(s.volumes, s.id)))
        progress.warn(
          `${s.volumes}, named by a container of session ${s.id}, is not a session folder: left alone`,
        );
      else if (s.volumes && (await removeSessionFolder(s.volumes, removeAsRoot)))
        done.push(`session folder ${s.volumes} removed`);
      if (s.sockets && (await removeSocketFolder(s.sockets))) done.push(`socket folder ${s.sockets} removed`);
    }
    // Folders of a session whose tp died before its sidecar existed (or after it was gone), which no
    // label names: found by the session's record in the temporary directory.
    const liveHere = new Set(local.filter((s) => s.live).map((s) => s.id));
    for (const r of await listLocalRecords()) {
      if (!(opts.session ? r.id === opts.session : !r.live && !liveHere.has(r.id))) continue;
      const { done: removed, left } = await removeLocalLeftovers(r, removeAsRoot);
      done.push(...removed);
      for (const folder of left)
        progress.warn(
          `${folder}, named by the record of session ${r.id}, is not its session folder: left alone`,
        );
      if (!r.live) diedHere.add(r.id);
    }
    const sessions = await listClusterSessions(kube, opts.allNamespaces ? undefined : kube.namespace);
    const undone = sessions.filter((c) => pick(c) || (!opts.session && diedHere.has(c.id)));
    for (const s of undone) done.push(...(await cleanupClusterSession(kube, s.namespace, s.id)));
    // An intercept's entry goes with its session: one whose session is undone, or has no live
    // record left (its Lease is gone, or not renewed).
    const live = new Set(sessions.filter((s) => s.live).map((s) => `${s.namespace}/${s.id}`));
    const gone = new Set(undone.map((s) => `${s.namespace}/${s.id}`));
    done.push(
      ...(await cleanupIntercepts(kube, opts.allNamespaces ? undefined : kube.namespace, (i) => {
        const key = `${i.namespace}/${i.session}`;
        return opts.session ? i.session === opts.session : gone.has(key) || !live.has(key);
      })),
    );
    if (global.output === "json") process.stdout.write(JSON.stringify({ done }) + "\n");
    else if (done.length === 0) progress.info("nothing to clean up");
    else for (const line of done) process.stdout.write(`${line}\n`);
  });

examples(cleanupCommand, [
  ["tp cleanup", "undo orphaned sessions of the current namespace"],
  ["tp cleanup -A", "in every namespace"],
]);
