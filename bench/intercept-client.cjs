// Runs in a client pod (node -e): sequential requests over one kept-alive connection per target,
// the targets taken in turn so that they share the same moments. Prints `RESULT {json}`.
// TARGETS: [{name, host, port, headers?, expect}], N requests each (after WARM unmeasured ones).
// SESSION (optional): {router: {host, port}, target} registers a session with the router first.
const http = require("node:http");
const net = require("node:net");

const targets = JSON.parse(process.env.TARGETS);
const n = Number(process.env.N ?? 2000);
const warm = Number(process.env.WARM ?? 200);

function get(t, agent) {
  return new Promise((resolve, reject) => {
    const req = http.get(
      { host: t.host, port: t.port, path: "/bench", headers: t.headers ?? {}, agent },
      (res) => {
        let body = "";
        res.on("data", (c) => (body += c));
        res.on("end", () => resolve(JSON.parse(body).name));
      },
    );
    req.on("error", reject);
  });
}

function register(session) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(session.router.port, session.router.host);
    const line = {
      v: 1,
      type: "register",
      sessionId: "bench",
      filter: { headers: session.headers },
      mirror: false,
    };
    socket.write(JSON.stringify({ ...line, target: { host: session.target } }) + "\n");
    socket.once("data", (d) =>
      String(d).includes('"registered"') ? resolve(socket) : reject(new Error(String(d))),
    );
    socket.on("error", reject);
  });
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];

(async () => {
  const session = process.env.SESSION ? await register(JSON.parse(process.env.SESSION)) : undefined;
  // Each target answers once before the run (a new Service's endpoints take a moment to arrive).
  for (const t of targets) {
    for (let i = 0; ; i++) {
      const agent = new http.Agent({ keepAlive: false });
      try {
        await get(t, agent);
        break;
      } catch (err) {
        if (i >= 60) throw new Error(`${t.name}: ${err.message}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }
  const agents = targets.map(() => new http.Agent({ keepAlive: true, maxSockets: 1 }));
  const times = targets.map(() => []);
  for (let i = 0; i < warm + n; i++) {
    for (let k = 0; k < targets.length; k++) {
      const t0 = process.hrtime.bigint();
      const name = await get(targets[k], agents[k]).catch((err) => {
        throw new Error(`${targets[k].name}: request ${i}: ${err.message}`);
      });
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (name !== targets[k].expect) throw new Error(`${targets[k].name}: answered by ${name}`);
      if (i >= warm) times[k].push(ms);
    }
  }
  const result = {};
  targets.forEach((t, k) => {
    const sorted = times[k].sort((a, b) => a - b);
    result[t.name] = { p50Ms: pct(sorted, 50), p99Ms: pct(sorted, 99), requests: sorted.length };
  });
  console.log(`RESULT ${JSON.stringify(result)}`);
  session?.destroy();
  agents.forEach((a) => a.destroy());
})().catch((err) => {
  console.error(err.stack ?? String(err));
  process.exit(1);
});
