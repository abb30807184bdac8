import pkg from "../package.json" with { type: "json" };

/** The version of tp; the CLI and the tp-agent image must carry the same one. */
export const version: string = pkg.version;

/** The agent image this CLI uses unless told otherwise. */
export const defaultAgentImage = `tp-agent:${version}`;

/** The commands that give a cluster this version's agent image. */
export const agentImageFix =
  "tp agent-image build, then tp agent-image push REGISTRY/REPO (or tp agent-image load kind|k3d|minikube)";
