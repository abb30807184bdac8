import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { hostname, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseGreeting, parseRequest, SocksReply, socksReply } from "../sidecar/socks5.js";

const run = promisify(execFile);

/**
 * The preload library of `tp run`, built from its sources here as scripts/build-native.mjs builds
 * it, against a SOCKS5 proxy that answers RESOLVE (0xF0) as the session's does: the cluster's
 * names below, "not found" for any other.
 */
const cluster: Record<string, string> = { "peer.test": "10.9.8.7", peer: "10.9.8.6" };
let dir: string;
let library: string;
let lookups: string;
let proxy: Server;
const asked: string[] = [];

/** Calls each form of the gethostbyname family and prints what it gave. */
const lookupsSource = `
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
static void show(const char *form, struct hostent *h, int err) {
  char ip[16] = "-";
  if (h && h->h_addr_list[0]) inet_ntop(AF_INET, h->h_addr_list[0], ip, sizeof ip);
  printf("%s %s %s %d\\n", form, h ? h->h_name : "-", ip, h ? 0 : err);
}
int main(int argc, char **argv) {
  struct hostent he, *r;
  char buf[1024], small[8];
  int err;
  for (int i = 1; i < argc; i++) {
    const char *n = argv[i];
    r = gethostbyname(n);
    show("gethostbyname", r, h_errno);
    r = gethostbyname2(n, AF_INET6);
    show("gethostbyname2/6", r, h_errno);
    gethostbyname_r(n, &he, buf, sizeof buf, &r, &err);
    show("gethostbyname_r", r, err);
    gethostbyname2_r(n, AF_INET, &he, buf, sizeof buf, &r, &err);
    show("gethostbyname2_r", r, err);
    errno = 0;
    int code = gethostbyname_r(n, &he, small, sizeof small, &r, &err);
    printf("small %s %s errno=%s h_errno=%d\\n", code == ERANGE ? "ERANGE" : "other", r ? "found" : "none",
           errno == ERANGE ? "ERANGE" : "other", err);
    struct addrinfo hints = {.ai_family = AF_INET6, .ai_socktype = SOCK_STREAM}, *ai = NULL;
    int v6 = getaddrinfo(n, "80", &hints, &ai);
    printf("getaddrinfo/6 %s\\n", v6 == EAI_NODATA ? "EAI_NODATA" : v6 == EAI_AGAIN ? "EAI_AGAIN" : v6 ? "error" : "found");
    if (ai) freeaddrinfo(ai);
  }
  return 0;
}
`;

/**
 * Runs argv[2..] with the library (argv[1]) and TP_PRELOAD_PARENT naming a child of its own that
 * has ended and is not reaped (a zombie: a tp killed whose parent has not waited for it yet), and
 * says how the program ended.
 */
const zombieParentSource = `
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
int main(int argc, char **argv) {
  if (argc < 3) return 2;
  pid_t t = fork();
  if (t == 0) _exit(0);
  usleep(100000);
  char var[64], pre[4096];
  snprintf(var, sizeof var, "TP_PRELOAD_PARENT=%d:15", (int)t);
  snprintf(pre, sizeof pre, "LD_PRELOAD=%s", argv[1]);
  char *env[] = {var, pre, "PATH=/usr/bin:/bin", 0};
  pid_t p = fork();
  if (p == 0) {
    execve(argv[2], argv + 2, env);
    _exit(127);
  }
  int st;
  waitpid(p, &st, 0);
  printf("program %s %d\\n", WIFSIGNALED(st) ? "signal" : "exit", WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
  waitpid(t, 0, 0);
  return 0;
}
`;
let zombieParent: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "tp-preload-names-"));
  library = join(dir, "libtp-preload.so");
  execFileSync(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      `import { buildPreload } from ${JSON.stringify(resolve("scripts/build-native.mjs"))}; buildPreload(process.argv[1]);`,
      library,
    ],
    { stdio: "inherit" },
  );
  writeFileSync(join(dir, "lookups.c"), lookupsSource);
  lookups = join(dir, "lookups");
  execFileSync("cc", ["-O1", "-o", lookups, join(dir, "lookups.c")]);
  writeFileSync(join(dir, "zombie-parent.c"), zombieParentSource);
  zombieParent = join(dir, "zombie-parent");
  execFileSync("cc", ["-O1", "-o", zombieParent, join(dir, "zombie-parent.c")]);
  proxy = createServer((socket) => {
    let buf = Buffer.alloc(0);
    let greeted = false;
    socket.on("data", (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (!greeted) {
        const g = parseGreeting(buf);
        if (typeof g === "string") return;
        greeted = true;
        buf = buf.subarray(g.length);
        socket.write(Buffer.from([5, 0]));
      }
      const req = parseRequest(buf);
      if (typeof req === "string") return;
      asked.push(req.host);
      const ip = req.command === 0xf0 ? cluster[req.host] : undefined;
      socket.end(ip ? socksReply(SocksReply.succeeded, ip) : socksReply(SocksReply.hostUnreachable));
    });
  });
  await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
}, 60_000);

afterAll(async () => {
  await new Promise((r) => proxy?.close(r));
  rmSync(dir, { recursive: true, force: true });
});

/** A program run with the library and the proxy, as `tp run` runs one. */
async function preloaded(
  file: string,
  args: string[],
  withProxy = true,
  extra: Record<string, string> = {},
): Promise<string> {
  const port = (proxy.address() as { port: number }).port;
  const env = {
    ...extra,
    PATH: process.env.PATH,
    LD_PRELOAD: library,
    // A name the host's resolver is asked about fails fast where no DNS server answers.
    RES_OPTIONS: "timeout:1 attempts:1",
    ...(withProxy ? { TP_PRELOAD_PROXY: `127.0.0.1:${port}` } : {}),
  };
  const { stdout } = await run(file, args, { env, timeout: 20_000 }).catch(
    (err: { stdout?: string; code?: number }) => ({ stdout: `${err.stdout ?? ""}exit ${err.code}` }),
  );
  return stdout;
}

describe("the preload library's gethostbyname family", () => {
  it("answers the cluster's names from the proxy in every form, IPv4 only, and says when a buffer is too small", async () => {
    asked.length = 0;
    const out = await preloaded(lookups, ["peer.test", "peer"]);
    expect(out.trim().split("\n")).toEqual([
      "gethostbyname peer.test 10.9.8.7 0",
      // A name the cluster knows has no IPv6 address: no data (4), as its DNS answers for AAAA.
      `gethostbyname2/6 - - ${4}`,
      "gethostbyname_r peer.test 10.9.8.7 0",
      "gethostbyname2_r peer.test 10.9.8.7 0",
      "small ERANGE none errno=ERANGE h_errno=-1",
      "getaddrinfo/6 EAI_NODATA",
      "gethostbyname peer 10.9.8.6 0",
      "gethostbyname2/6 - - 4",
      "gethostbyname_r peer 10.9.8.6 0",
      "gethostbyname2_r peer 10.9.8.6 0",
      "small ERANGE none errno=ERANGE h_errno=-1",
      "getaddrinfo/6 EAI_NODATA",
    ]);
    expect(new Set(asked)).toEqual(new Set(["peer.test", "peer"]));
  });

  it("gives `getent hosts` the cluster's address, and the host's lookup a name the cluster does not know", async () => {
    asked.length = 0;
    expect(await preloaded("getent", ["hosts", "peer.test"])).toBe("10.9.8.7        peer.test\n");
    // The machine's own name, as the host's lookup gives it without the library.
    const own = hostname();
    if (own === "localhost" || own.endsWith(".localhost")) return;
    const host = await preloaded("getent", ["hosts", own], false);
    expect(await preloaded("getent", ["hosts", own])).toBe(host);
    expect(asked).toContain(own);
  });

  it("leaves numeric addresses and localhost to the host, and every lookup when there is no proxy", async () => {
    asked.length = 0;
    const local = await preloaded(lookups, ["localhost", "127.0.0.2"]);
    expect(local).toMatch(/^gethostbyname_r \S+ 127\.0\.0\.1 0$/m);
    expect(local).toContain("gethostbyname 127.0.0.2 127.0.0.2 0");
    expect(asked).toEqual([]);
    const without = await preloaded("getent", ["hosts", "peer.test"], false);
    expect(without).toMatch(/^exit 2/);
    expect(asked).toEqual([]);
  });
});

describe("the preload library's linking", () => {
  it("exports only the calls it answers, and names libdl.so.2 as needed (dlsym's home before glibc 2.34)", () => {
    const symbols = execFileSync("nm", ["-D", "--defined-only", library], { encoding: "utf8" })
      .split("\n")
      .map((l) => l.split(" ").at(-1) ?? "")
      .filter((name) => name && !name.startsWith("_"));
    expect(symbols.sort()).toEqual([
      "connect",
      "getaddrinfo",
      "gethostbyname",
      "gethostbyname2",
      "gethostbyname2_r",
      "gethostbyname_r",
    ]);
    expect(execFileSync("readelf", ["-d", library], { encoding: "utf8" })).toContain("[libdl.so.2]");
  });
});

describe("the preload library with a proxy that does not answer", () => {
  it("says to try again, and never asks the host for the name", async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as { port: number }).port;
    await new Promise((r) => closed.close(r));
    const out = await preloaded(lookups, ["peer.test"], false, { TP_PRELOAD_PROXY: `127.0.0.1:${port}` });
    // TRY_AGAIN is 2; the small buffer's call fails the same way first.
    expect(out.trim().split("\n")).toEqual([
      "gethostbyname - - 2",
      "gethostbyname2/6 - - 2",
      "gethostbyname_r - - 2",
      "gethostbyname2_r - - 2",
      "small other none errno=other h_errno=2",
      "getaddrinfo/6 EAI_AGAIN",
    ]);
  });
});

describe("the preload library's parent signal", () => {
  // The program tp starts gets TP_PRELOAD_PARENT=PID:SIGNAL; its children must not: they would take
  // their parent (the program) for a tp that is gone and end at once.
  const parent = () => ({ TP_PRELOAD_PARENT: `${process.pid}:15` });

  it("is taken out of the environment of a shell that keeps its own copy of it (bash), and of sh", async () => {
    for (const shell of ["bash", "sh"]) {
      const out = await preloaded(
        shell,
        ["-c", 'echo "[${TP_PRELOAD_PARENT-}]"; /bin/true; echo "child $?"'],
        false,
        parent(),
      );
      expect(out, shell).toBe("[]\nchild 0\n");
    }
  });

  it("leaves alone the child of a program tp started that the library cannot reach (a static one)", async () => {
    // sh runs without the library here, as a static program does: the variable stays in its
    // environment, and its child, which has the library, is not tp's.
    const out = await run("sh", ["-c", `LD_PRELOAD=${library} /bin/true; echo "child $?"`], {
      env: { PATH: process.env.PATH, ...parent() },
    });
    expect(out.stdout).toBe("child 0\n");
  });

  it("ends a program whose tp has ended, also while tp's own parent has not reaped it yet", async () => {
    const out = await run(zombieParent, [library, "/bin/sh", "-c", "echo ran"]);
    expect(out.stdout).toBe("program signal 15\n");
  });

  it("still ends a program whose parent is already gone", async () => {
    // A process id that was in use a moment ago, and is not any more.
    const gone = execFileSync("sh", ["-c", "sh -c 'echo $$'"], { encoding: "utf8" }).trim();
    const out = await preloaded("sh", ["-c", "echo ran"], false, { TP_PRELOAD_PARENT: `${gone}:15` });
    expect(out).toMatch(/^exit (null|143)/);
  });
});
