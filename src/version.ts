import pkg from "../package.json" with { type: "json" };

/** The version of tp; the CLI and the tp-agent image must carry the same one. */
export const version: string = pkg.version;

/** The agent image this CLI uses unless told otherwise. */
export const defaultAgentImage = `tp-agent:${version}`;

/** The agent image to use: an explicit choice, else $TP_AGENT_IMAGE, else the default. */
export function agentImage(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  return explicit ?? env["TP_AGENT_IMAGE"] ?? defaultAgentImage;
}
