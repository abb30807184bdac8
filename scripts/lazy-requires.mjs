// An esbuild plugin for the CLI bundle: CommonJS modules that a dependency requires at load time
// but uses only for features tp does not call on its hot path (dockerode's BuildKit sessions,
// which pull in gRPC and protobuf; docker-modem's SSH transport) are wrapped so that they are
// evaluated on first use instead of at every start. They stay in the bundle and work as before.
import { dirname, relative, resolve } from "node:path";

/** `from` (a module file, by its path under node_modules) requires `request` lazily. */
const lazy = [
  { from: /dockerode[\\/]lib[\\/]docker\.js$/, request: "./session" },
  { from: /docker-modem[\\/]lib[\\/]modem\.js$/, request: "./ssh" },
];

export const lazyRequires = {
  name: "lazy-requires",
  setup(build) {
    build.onResolve({ filter: /^\.\/(session|ssh)$/ }, (args) => {
      const rule = lazy.find((l) => l.from.test(args.importer) && l.request === args.path);
      if (!rule) return undefined;
      // Relative, so that the bundle names no folder of the machine it was built on.
      const target = resolve(dirname(args.importer), `${args.path}.js`);
      return { path: relative(process.cwd(), target), namespace: "lazy-require" };
    });
    build.onLoad({ filter: /.*/, namespace: "lazy-require" }, (args) => ({
      // A function that loads the real module when called (both modules export a function).
      contents: `module.exports = function () { return require(${JSON.stringify(resolve(args.path))}).apply(this, arguments); };`,
      resolveDir: dirname(resolve(args.path)),
      loader: "js",
    }));
  },
};
