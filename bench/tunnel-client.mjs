// The near end of the tunnel benchmark: run where the path starts (a container, or the host in
// front of a port-forward), against tunnel-server.cjs. Prints "MARK <phase>" lines (the runner
// samples processes there; each is followed by a short pause) and one "RESULT <json>" line.
import { connect as tcpConnect } from "node:net";
import { once } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";

const o = JSON.parse(process.argv[2]);
const MiB = 1 << 20;
const block = Buffer.alloc(MiB, 1);
const pauseMs = o.pauseMs ?? 300;

async function mark(name) {
  console.log(`MARK ${name}`);
  await sleep(pauseMs);
}

function connect(timeoutMs = 30_000) {
  return new Promise((resolve, reject) => {
    const s = tcpConnect({ host: o.host, port: o.port, noDelay: true });
    const timer = setTimeout(() => (s.destroy(), reject(new Error("connect timeout"))), timeoutMs);
    s.once("connect", () => (clearTimeout(timer), resolve(s)));
    s.once("error", (e) => (clearTimeout(timer), reject(e)));
  });
}

const header = (kind, n) => {
  const h = Buffer.alloc(9);
  h[0] = kind.charCodeAt(0);
  h.writeBigUInt64BE(BigInt(n), 1);
  return h;
};

/** Resolves on the first byte back, rejects on error or close before it. */
const firstByte = (s) =>
  new Promise((resolve, reject) => {
    s.once("data", resolve);
    s.once("error", reject);
    s.once("close", () => reject(new Error("closed before the answer")));
  });

async function upload(bytes) {
  const s = await connect();
  const acked = firstByte(s);
  acked.catch(() => {});
  s.write(header("U", bytes));
  for (let left = bytes; left > 0;) {
    const c = left >= MiB ? block : block.subarray(0, left);
    left -= c.length;
    if (!s.write(c)) await Promise.race([once(s, "drain"), acked]);
  }
  await acked;
  s.destroy();
}

async function download(bytes) {
  const s = await connect();
  await new Promise((resolve, reject) => {
    let got = 0;
    s.on("data", (c) => {
      got += c.length;
      if (got >= bytes) resolve();
    });
    s.once("error", reject);
    s.once("close", () => reject(new Error(`closed after ${got} of ${bytes} bytes`)));
    s.write(header("D", bytes));
  });
  s.destroy();
}

async function throughput(op, streams, bytes) {
  const each = Math.floor(bytes / streams);
  const t0 = performance.now();
  await Promise.all(Array.from({ length: streams }, () => op(each)));
  const s = (performance.now() - t0) / 1000;
  return Number(((each * streams) / MiB / s).toFixed(1));
}

async function pingPong(n) {
  const s = await connect();
  s.write("E");
  let wake;
  s.on("data", () => wake?.());
  const times = [];
  for (let i = 0; i < n + 20; i++) {
    const t0 = performance.now();
    const back = new Promise((r) => (wake = r));
    s.write("x");
    await back;
    if (i >= 20) times.push(performance.now() - t0);
  }
  s.destroy();
  times.sort((a, b) => a - b);
  const at = (q) => Number(times[Math.min(times.length - 1, Math.floor(q * times.length))].toFixed(3));
  return { p50Ms: at(0.5), p99Ms: at(0.99) };
}

async function manyConnections(n) {
  const t0 = performance.now();
  const sockets = [];
  const errors = [];
  await Promise.all(
    Array.from({ length: n }, async () => {
      try {
        const s = await connect(60_000);
        sockets.push(s);
        s.on("error", () => {});
        const back = firstByte(s);
        s.write("Ex");
        await Promise.race([back, sleep(60_000).then(() => Promise.reject(new Error("no echo in 60 s")))]);
      } catch (e) {
        errors.push(e.message);
      }
    }),
  );
  const openMs = Math.round(performance.now() - t0);
  return { sockets, result: { count: n, openMs, errors: errors.length, firstError: errors[0] } };
}

const bytes = o.mib * MiB;
await download(MiB); // warm up: the first connection may set things up
await mark("throughput");
const result = {
  upMiBs: await throughput(upload, 1, bytes),
  downMiBs: await throughput(download, 1, bytes),
  up8MiBs: await throughput(upload, 8, bytes),
  down8MiBs: await throughput(download, 8, bytes),
};
await mark("throughput-done");
Object.assign(result, await pingPong(o.pings));
await mark("connections");
const many = await manyConnections(o.conns);
await mark("connections-done");
for (const s of many.sockets) s.destroy();
result.connections = many.result;
result.bytesMoved = 4 * bytes;
console.log(`RESULT ${JSON.stringify(result)}`);
