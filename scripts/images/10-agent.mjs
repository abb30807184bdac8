// tp-agent:<version>: the agent bundles, their native parts and iptables, on this machine's Node
// (the same spec `tp agent-image build` uses from an installed package).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildNative } from "../build-native.mjs";

const version = JSON.parse(readFileSync("package.json", "utf8")).version;

export async function images() {
  buildNative();
  const { agentImageSpec } = await import(join(process.cwd(), "dist/tools/images.js"));
  return [agentImageSpec(`tp-agent:${version}`, process.cwd())];
}
