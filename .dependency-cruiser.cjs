// The layers of src/ (see README, Development): a folder imports only the folders below it.
// Files directly in src/ (errors, wait, clock, version) are shared by every layer.
// `npm run check` runs this; a forbidden import fails it.
const layers = [
  ["cli"],
  ["project"],
  ["session"],
  ["cluster", "docker", "volumes"],
  ["kube"],
  ["sync"],
  ["tunnel"],
  ["contract"],
];
// The agent runs in the tp-agent image: it may use what the CLI's end shares with it, no more.
const agentMayUse = ["agent", "kube", "sync", "tunnel", "contract"];

const all = [...layers.flat(), "agent"];
const folder = (names) => `^src/(${names.join("|")})/`;

const forbidden = layers.map((row, i) => {
  const below = layers.slice(i + 1).flat();
  return {
    name: `${row.join("-")}-imports-only-below`,
    comment: `${row.join(", ")} may import only ${below.join(", ") || "src/*.ts"} (and itself)`,
    severity: "error",
    from: { path: `^src/(${row.join("|")})/` },
    to: {
      path: "^src/[^/]+/",
      pathNot: [folder(below.length ? below : ["-"]), "^src/$1/"],
    },
  };
});
forbidden.push({
  name: "agent-imports-only-shared-layers",
  comment: `agent/ may import only ${agentMayUse.join(", ")}`,
  severity: "error",
  from: { path: "^src/agent/" },
  to: { path: "^src/[^/]+/", pathNot: folder(agentMayUse) },
});
forbidden.push({
  name: "shared-files-import-no-layer",
  comment: "src/*.ts is below every layer",
  severity: "error",
  from: { path: "^src/[^/]+\\.ts$" },
  to: { path: folder(all) },
});

module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "\\.test\\.ts$" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
  },
};
