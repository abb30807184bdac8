// An HTTP server for tests: answers every request with JSON describing it and where it ran.
// PORT (default 8080) and NAME (default the hostname) come from the environment.
import { createServer } from "node:http";
import { hostname } from "node:os";

const port = Number(process.env.PORT ?? 8080);
const name = process.env.NAME ?? hostname();
createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const body = JSON.stringify({
      name,
      hostname: hostname(),
      method: req.method,
      url: req.url,
      headers: req.headers,
      body: Buffer.concat(chunks).toString("utf8"),
    });
    res.writeHead(200, { "content-type": "application/json" }).end(body + "\n");
  });
}).listen(port, () => console.log(`echo server ${name} listening on ${port}`));
for (const s of ["SIGTERM", "SIGINT"]) process.on(s, () => process.exit(0));
