// A/B of two tp builds on the startup path: alternating rounds, medians of each.
// Usage: node bench/ab.mjs DIR_A DIR_B [rounds]   (each DIR holds dist/cli/tp.js)
import { resolve } from "node:path";
import { settle } from "./settle.mjs";
import { firstLine, kubeconfig, median, swapRun, waitForWeb, withSampleApp } from "./first-line.mjs";

const builds = {
  a: resolve(process.argv[2], "dist/cli/tp.js"),
  b: resolve(process.argv[3], "dist/cli/tp.js"),
};
const rounds = Number(process.argv[4] ?? 6);

await withSampleApp("tp-ab", async (ns) => {
  const t = { a: [], b: [] };
  for (let i = 0; i < rounds; i++) {
    for (const which of i % 2 ? ["b", "a"] : ["a", "b"]) {
      await settle();
      // Each build keeps its own code cache (a build drops the cache of another).
      const env = { ...process.env, KUBECONFIG: kubeconfig, XDG_CACHE_HOME: resolve(`.ab-cache-${which}`) };
      const r = await firstLine("node", swapRun(builds[which], ns, "tp-test-busybox:local"), env);
      await r.done;
      t[which].push(Math.round(r.ms));
      waitForWeb(ns);
    }
  }
  console.log(`A ${median(t.a)} ms (${t.a.join(", ")})`);
  console.log(`B ${median(t.b)} ms (${t.b.join(", ")})`);
});
