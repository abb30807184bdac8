// Measures UDP from wherever it runs (argument: JSON {host, port, pings, seconds}); prints
// `RESULT <json>`: round trips of 64-byte datagrams one at a time, then datagrams a second echoed
// with 64 in flight.
import { createSocket } from "node:dgram";

const { host, port, pings, seconds } = JSON.parse(process.argv[2]);
const s = createSocket("udp4");
await new Promise((r) => s.bind(0, r));
const payload = Buffer.alloc(64, 1);

const rtts = [];
for (let i = 0; i < pings; i++) {
  const t0 = process.hrtime.bigint();
  const got = new Promise((resolve) => s.once("message", resolve));
  s.send(payload, port, host);
  const ok = await Promise.race([got.then(() => true), new Promise((r) => setTimeout(() => r(false), 1000))]);
  if (ok) rtts.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
rtts.sort((a, b) => a - b);
const pct = (p) => rtts[Math.min(rtts.length - 1, Math.floor((p / 100) * rtts.length))] ?? NaN;

let echoed = 0;
let sent = 0;
s.on("message", () => echoed++);
const end = Date.now() + seconds * 1000;
let lastEchoed = 0;
let lastProgress = Date.now();
while (Date.now() < end) {
  while (sent - echoed < 64) {
    s.send(payload, port, host);
    sent++;
  }
  await new Promise((r) => setImmediate(r));
  if (echoed !== lastEchoed) {
    lastEchoed = echoed;
    lastProgress = Date.now();
  } else if (Date.now() - lastProgress > 50) {
    // Lost datagrams must not stall the window for good.
    sent = echoed;
    lastProgress = Date.now();
  }
}
s.close();
console.log(
  "RESULT " +
    JSON.stringify({
      pings: rtts.length,
      p50Ms: Number(pct(50).toFixed(3)),
      p99Ms: Number(pct(99).toFixed(3)),
      datagramsPerSecond: Math.round(echoed / seconds),
    }),
);
