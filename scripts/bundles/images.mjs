// The image builder of src/docker (images assembled from files on this machine), for
// scripts/build-images.mjs: the development images and `tp agent-image build` share one builder.
export const bundles = [
  {
    stdin: {
      contents: [
        'export { buildRootfsImage } from "./src/docker/rootfs-image.ts";',
        'export { agentImageSpec, imagePath, imageUsers } from "./src/docker/agent-image.ts";',
      ].join("\n"),
      resolveDir: ".",
      sourcefile: "images.ts",
      loader: "ts",
    },
    outfile: "dist/tools/images.js",
  },
];
