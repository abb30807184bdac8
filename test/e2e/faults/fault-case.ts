import { execa } from "execa";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import {
  apply,
  createNamespace,
  kubectl,
  liveTpObjects,
  requireCluster,
  rolloutStatus,
} from "../support/cluster.js";
import { RunningTp, runTp } from "../support/tp.js";
import { EndpointsHistory } from "./endpoints-history.js";
import { faultCaseManifest, proberManifest } from "./manifests.js";
import { proberResults, type ProberResults } from "./prober-results.js";

/**
 * One case of the fault suite: a namespace with a Deployment `web` (2 replicas behind a Service,
 * a Secret mounted), optionally a prober pod that calls the Service ten times a second, and a tp
 * session that swaps `web` and stops at a chosen stage (TP_TEST_PAUSE_AT) so that a fault is
 * injected exactly there. Its checks are the suite's invariant.
 */
export class FaultCase {
  tp: RunningTp | undefined;
  /** tp's temporary directory: every local file of the session is made under it. */
  readonly tmp = mkdtempSync(join(tmpdir(), "tp-fault-"));
  private before = "";
  /** The Service's endpoints over time, where the case has a prober. */
  private endpoints: EndpointsHistory | undefined;

  private constructor(
    readonly ns: string,
    private readonly removeNs: () => Promise<void>,
  ) {}

  static async create(prefix: string, options: { prober?: boolean } = {}): Promise<FaultCase> {
    const ns = await createNamespace(prefix);
    const c = new FaultCase(ns.name, ns.remove);
    await apply(c.ns, faultCaseManifest + (options.prober ? proberManifest : ""));
    await rolloutStatus(c.ns, "web");
    if (options.prober) await c.proberNow(90_000);
    c.before = await c.state();
    // Last: nothing after it can fail and leave its kubectl running.
    if (options.prober) c.endpoints = new EndpointsHistory(c.ns, "web");
    return c;
  }

  /**
   * What the session must leave as it was: the Deployment (spec, tp's annotations), the Service,
   * and every object tp labels (pods, Leases, ServiceAccounts, Roles, RoleBindings, Services,
   * Deployments).
   */
  async state(): Promise<string> {
    type Item = {
      kind: string;
      metadata: { name: string; annotations?: Record<string, string>; deletionTimestamp?: string };
      spec?: unknown;
    };
    const get = async (what: string, ...args: string[]) =>
      (JSON.parse(await kubectl(["get", what, "-n", this.ns, "-o", "json", ...args])).items as Item[]).filter(
        (i) => !i.metadata.deletionTimestamp,
      );
    const tpAnnotations = (i: Item) =>
      Object.entries(i.metadata.annotations ?? {}).filter(([k]) => k.startsWith("tp.dev/"));
    const [deployments, services, labelled] = await Promise.all([
      get("deployments"),
      get("services"),
      liveTpObjects(this.ns, "pods,leases,serviceaccounts,roles,rolebindings"),
    ]);
    return JSON.stringify({
      deployments: deployments.map((d) => [d.metadata.name, tpAnnotations(d), d.spec]),
      services: services.map((s) => [s.metadata.name, tpAnnotations(s), s.spec]),
      tp: labelled,
    });
  }

  /** Start `tp docker-run --swap-deployment web` that stops at `stage`. */
  start(stage: string, options: { userScript?: string; args?: string[] } = {}): RunningTp {
    const script =
      options.userScript ??
      "mkdir -p /w && echo hi > /w/index.html && httpd -p 8080 -h /w && echo serving && exec sleep 600";
    this.tp = new RunningTp(
      [
        "docker-run",
        "-n",
        this.ns,
        "--swap-deployment",
        "web",
        ...(options.args ?? []),
        "--",
        "tp-test-busybox:local",
        "sh",
        "-c",
        script,
      ],
      { TP_TEST_PAUSE_AT: stage, TMPDIR: this.tmp },
    );
    return this.tp;
  }

  /** Wait until tp stops at its stage. */
  async atStage(stage: string, timeoutMs = 90_000): Promise<void> {
    await this.running().waitFor(new RegExp(`tp-test-stage: ${stage}\\n`), timeoutMs, "stderr");
  }

  /** Start tp, let it reach `stage`, kill -9 it there; returns the session's id. */
  async killAt(stage: string): Promise<string> {
    this.start(stage);
    await this.atStage(stage);
    const id = await this.sessionId();
    this.running().process.kill("SIGKILL");
    await this.running().processExited();
    return id;
  }

  /** Whether the session's warden pod runs (or is gone already, or was never made). */
  async wardenStarted(id: string): Promise<boolean> {
    const pod = ["pod", `tp-warden-${id}`, "-n", this.ns, "--ignore-not-found"];
    const phase = await kubectl(["get", ...pod, "-o", "jsonpath={.status.phase}"]).catch(() => "");
    return phase !== "Pending";
  }

  /** Let tp go on from the stage it stopped at. */
  resume(): void {
    this.running().process.kill("SIGUSR2");
  }

  running(): RunningTp {
    if (!this.tp) throw new Error("no tp started");
    return this.tp;
  }

  /** The session's id, from its Lease (known from the session's first change on). */
  async sessionId(): Promise<string> {
    const names = await kubectl([
      "get",
      "leases",
      "-n",
      this.ns,
      "-o",
      "name",
      "-l",
      "app.kubernetes.io/managed-by=tp",
    ]);
    const id = /tp-session-([0-9a-f]+)/.exec(names)?.[1];
    if (!id) throw new Error(`no session lease in ${this.ns}`);
    return id;
  }

  /**
   * The invariant's cluster half: within `withinMs` of now, with no tp command run, the cluster
   * is as before (or as `expected` says: the user's own later changes). Returns how long it took.
   */
  async expectClusterRestored(withinMs = 60_000, expected = this.before): Promise<number> {
    const started = Date.now();
    let last = "";
    while (Date.now() - started < withinMs) {
      last = await this.state().catch((e: unknown) => String(e));
      if (last === expected) return Date.now() - started;
      await new Promise((r) => setTimeout(r, 1_000));
    }
    expect(last, `the cluster ${withinMs / 1000} s after the fault`).toBe(expected);
    return withinMs;
  }

  /** Every file of the session left in tp's temporary directory is private (0700 folders, 0600 files). */
  expectLocalPrivate(): void {
    const wide: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        const st = statSync(path, { throwIfNoEntry: false });
        if (!st) continue;
        // Only the session folder itself counts for modes below it: a 0700 folder closes them off.
        if ((st.mode & 0o077) !== 0 && (dir === this.tmp || /secret/.test(path)))
          wide.push(`${(st.mode & 0o777).toString(8)} ${path}`);
        if (st.isDirectory()) walk(path);
      }
    };
    walk(this.tmp);
    expect(wide, "session files readable by others").toEqual([]);
  }

  /** Local files and containers of the session left now (before any tp command). */
  async localLeftovers(id: string): Promise<string[]> {
    const files = readdirSync(this.tmp).filter((n) => n.startsWith(`tp-${id}`));
    const containers = (
      await execa("docker", ["ps", "-a", "--format", "{{.Names}}", "--filter", `label=dev.tp.session=${id}`])
    ).stdout
      .split("\n")
      .filter(Boolean);
    return [...files, ...containers];
  }

  /** The invariant's local half: after `tp cleanup`, nothing of the session is left on this machine. */
  async expectLocalCleanAfterCleanup(id: string): Promise<void> {
    this.expectLocalPrivate();
    const r = await runTp(["cleanup", "-n", this.ns], { env: { TMPDIR: this.tmp } });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(await this.localLeftovers(id)).toEqual([]);
  }

  /** Now on the prober's clock (seconds since its node booted); waits for the prober to run. */
  async proberNow(withinMs = 10_000): Promise<number> {
    const started = Date.now();
    for (;;) {
      const out = await kubectl(["exec", "-n", this.ns, "prober", "--", "cat", "/proc/uptime"]).catch(
        () => "",
      );
      const now = Number(out.split(" ")[0]);
      if (out && Number.isFinite(now)) return now;
      if (Date.now() - started > withinMs) throw new Error(`the prober in ${this.ns} does not run`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  /** For a failed check of the Service: its endpoints, the pods, and the prober's last lines. */
  async serviceReport(): Promise<string> {
    const [endpoints, pods, log] = await Promise.all([
      kubectl(["get", "endpoints", "web", "-n", this.ns, "-o", "yaml"]).catch(String),
      kubectl(["get", "pods", "-n", this.ns, "-o", "wide", "--show-labels"]).catch(String),
      kubectl(["logs", "-n", this.ns, "prober", "--tail", "20"]).catch(String),
    ]);
    const history = this.endpoints?.since(this.tp?.started ?? 0) ?? "";
    return `endpoints:\n${endpoints}\nendpoints over time (s after tp's start, ready, not ready):\n${history}\npods:\n${pods}\nprober:\n${log}`;
  }

  /** The prober's results between two of its times: the failures and the longest run of them (s). */
  async proberResults(from: number, to: number): Promise<ProberResults> {
    return proberResults((await kubectl(["logs", "-n", this.ns, "prober"])).split("\n"), from, to);
  }

  /**
   * Between the cases of one namespace: stop a tp still running, undo what is left (tp cleanup),
   * and wait for the cluster to be as before, so that a failed case does not fail the next.
   */
  async reset(): Promise<void> {
    await this.tp?.kill();
    this.tp = undefined;
    await runTp(["cleanup", "-n", this.ns], { env: { TMPDIR: this.tmp } });
    await this.expectClusterRestored(60_000);
  }

  async dispose(): Promise<void> {
    this.endpoints?.stop();
    await this.tp?.kill();
    const id = await this.sessionId().catch(() => undefined);
    await runTp(["cleanup", "-n", this.ns], { env: { TMPDIR: this.tmp } }).catch(() => undefined);
    if (id) await execa("docker", ["rm", "-f", `tp-${id}`, `tp-${id}-sidecar`], { reject: false });
    await this.removeNs();
    rmSync(this.tmp, { recursive: true, force: true });
  }
}

/**
 * One FaultCase for the cases of a test file: made before them, reset after each (see reset),
 * removed after them all. Returns a getter for it.
 */
export function faultCaseForFile(
  prefix: string,
  options: { prober?: boolean; afterAll?: () => Promise<unknown> } = {},
): () => FaultCase {
  let c: FaultCase | undefined;
  beforeAll(async () => {
    requireCluster();
    c = await FaultCase.create(prefix, options);
  }, 120_000);
  afterEach(async () => {
    await c?.reset();
  }, 120_000);
  afterAll(async () => {
    await options.afterAll?.();
    await c?.dispose();
  }, 120_000);
  return () => {
    if (!c) throw new Error("the fault case was not made");
    return c;
  };
}
