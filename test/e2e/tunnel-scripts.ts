/**
 * Small programs the tunnel tests run in containers (written to a temporary folder and mounted).
 * The DNS server stands in for the cluster's resolver; the client is the user's program.
 */

/** A DNS server (UDP and TCP, port 53) for the zone tp-test.svc.cluster.local. Env: ECHO_IP. */
export const dnsServerScript = String.raw`
const dgram = require("node:dgram");
const net = require("node:net");
const dns = require("dns-packet");
const zone = "tp-test.svc.cluster.local";
const echoIp = process.env.ECHO_IP;
function answer(query) {
  const q = query.questions[0] || { name: "", type: "A" };
  const name = q.name.toLowerCase();
  const base = { type: "response", id: query.id, flags: dns.RECURSION_DESIRED | dns.RECURSION_AVAILABLE | dns.AUTHORITATIVE_ANSWER, questions: query.questions };
  if (name === "echo." + zone && q.type === "A") return { ...base, answers: [{ type: "A", name: q.name, ttl: 5, data: echoIp }] };
  if (name === "_http._tcp.echo." + zone && q.type === "SRV")
    return { ...base, answers: [{ type: "SRV", name: q.name, ttl: 5, data: { priority: 0, weight: 100, port: 8080, target: "echo." + zone } }] };
  if (name === "big." + zone && q.type === "A") {
    const answers = [];
    for (let i = 1; i <= 60; i++) answers.push({ type: "A", name: q.name, ttl: 5, data: "10.99.0." + i });
    return { ...base, answers };
  }
  if (name.startsWith("echo.") || name.startsWith("big.") || name.startsWith("_http._tcp.echo.")) return { ...base, answers: [] };
  return { ...base, flags: base.flags | 3, answers: [] };
}
const udp = dgram.createSocket("udp4");
udp.on("message", (msg, peer) => {
  let out = dns.encode(answer(dns.decode(msg)));
  if (out.length > 512) {
    const q = dns.decode(msg);
    out = dns.encode({ type: "response", id: q.id, flags: dns.TRUNCATED_RESPONSE | dns.RECURSION_DESIRED, questions: q.questions });
  }
  udp.send(out, peer.port, peer.address);
});
udp.bind(53, "0.0.0.0");
net.createServer((s) => {
  let buf = Buffer.alloc(0);
  s.on("error", () => {});
  s.on("data", (c) => {
    buf = Buffer.concat([buf, c]);
    while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
      const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
      buf = buf.subarray(2 + msg.length);
      s.write(dns.streamEncode(answer(dns.decode(msg))));
    }
  });
}).listen(53, "0.0.0.0", () => console.log("dns ready"));
`;

/** The user's program: `dns` checks resolution; `bulk N BYTES URL` sends N parallel bodies to the echo server. */
export const clientScript = String.raw`
import dns from "node:dns/promises";
import http from "node:http";
import { randomBytes } from "node:crypto";
const [mode, ...args] = process.argv.slice(2);
const zone = "tp-test.svc.cluster.local";
async function timed(fn) {
  const t = Date.now();
  try { return { ok: true, value: await fn(), ms: Date.now() - t }; }
  catch (e) { return { ok: false, code: e.code, ms: Date.now() - t }; }
}
if (mode === "dns") {
  const out = {
    short: await timed(() => dns.lookup("echo", { family: 4 }).then((r) => r.address)),
    fqdn: await timed(() => dns.resolve4("echo." + zone)),
    srv: await timed(() => dns.resolveSrv("_http._tcp.echo." + zone)),
    big: await timed(() => dns.resolve4("big." + zone).then((a) => a.length)),
    missing: await timed(() => dns.resolve4("missing." + zone)),
  };
  console.log(JSON.stringify(out));
} else if (mode === "bulk") {
  const [n, size, url] = [Number(args[0]), Number(args[1]), args[2]];
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  const one = (i) => new Promise((resolve) => {
    const body = randomBytes((size * 3) / 4).toString("base64");
    const req = http.request(url + "/bulk/" + i, { method: "POST", agent, headers: { "content-length": body.length } }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        try { resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")).body === body); } catch { resolve(false); }
      });
      res.on("error", () => resolve(false));
    });
    req.on("error", () => resolve(false));
    req.end(body);
  });
  const t = Date.now();
  const results = await Promise.all(Array.from({ length: n }, (_, i) => one(i)));
  const ms = Date.now() - t;
  console.log(JSON.stringify({ intact: results.filter(Boolean).length, n, ms, mbPerSecond: (2 * n * size) / 1e6 / (ms / 1000) }));
}
`;
