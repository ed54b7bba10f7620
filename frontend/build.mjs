// Build the plotly.js bundles databoard serves, from the plotly.js npm package.
//
//   cd frontend && npm ci && npm run build        (or: node build.mjs OUT_FOLDER)
//
// Two ES module entries share one registry (esbuild's code splitting puts what they have in
// common in shared chunks): "core", which every page loads, with the trace types the chart
// kinds draw, and "geo", which registers the map trace types and is loaded only by a page
// that draws a map. The files and a manifest (bundles.json) go to the package's static
// folder and are committed, so installing databoard never needs node.
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const HERE = dirname(fileURLToPath(import.meta.url));
const OUT = process.argv[2] || join(HERE, "..", "src", "databoard", "web", "static", "plotly");

// Entry name -> the trace types it registers (plotly.js/lib/<type>). The core always has
// "scatter"; the chart kinds draw scatter, bar, box, histogram, indicator, pie, table and
// choropleth.
const ENTRIES = {
  core: ["bar", "box", "histogram", "indicator", "pie", "table"],
  geo: ["choropleth", "scattergeo"],
};

function source(types) {
  const imports = types.map((t) => `import ${t} from "plotly.js/lib/${t}";`);
  return [
    'import Plotly from "plotly.js/lib/core";',
    ...imports,
    `Plotly.register([${types.join(", ")}]);`,
    "export default Plotly;",
  ].join("\n");
}

const entries = {
  name: "databoard-entries",
  setup(build) {
    build.onResolve({ filter: /^entry:/ }, (args) => ({ path: args.path, namespace: "entry" }));
    build.onLoad({ filter: /.*/, namespace: "entry" }, (args) => ({
      contents: source(ENTRIES[args.path.slice("entry:".length)]),
      resolveDir: HERE,
    }));
  },
};

const VERSION = JSON.parse(
  readFileSync(join(HERE, "node_modules", "plotly.js", "package.json"), "utf8"),
).version;

// Remove the last build's files; SOURCES.md and LICENSE.txt stay.
mkdirSync(OUT, { recursive: true });
for (const file of readdirSync(OUT)) {
  if (file.endsWith(".js") || file === "bundles.json") rmSync(join(OUT, file));
}
const result = await esbuild.build({
  entryPoints: Object.fromEntries(Object.keys(ENTRIES).map((name) => [name, `entry:${name}`])),
  outdir: OUT,
  bundle: true,
  splitting: true,
  format: "esm",
  minify: true,
  target: "es2020",
  entryNames: "[name]",
  chunkNames: "chunk-[hash]",
  // As plotly.js's own build; the map (maplibre) trace's stylesheet is not needed.
  define: { global: "window", "define.amd": "false" },
  loader: { ".css": "empty" },
  legalComments: "eof",
  banner: {
    js: `/*! plotly.js ${VERSION} (c) Plotly, Inc. MIT licence; built for databoard, see SOURCES.md */`,
  },
  metafile: true,
  logLevel: "warning",
  plugins: [entries],
});

const manifest = { "plotly.js": VERSION, entries: {} };
for (const [file, output] of Object.entries(result.metafile.outputs)) {
  const name = Object.keys(ENTRIES).find((n) => output.entryPoint?.endsWith(`entry:${n}`));
  if (!name) continue;
  manifest.entries[name] = {
    file: file.split("/").pop(),
    imports: output.imports
      .filter((i) => i.kind === "import-statement")
      .map((i) => i.path.split("/").pop()),
    types: name === "core" ? ["scatter", ...ENTRIES[name]] : ENTRIES[name],
  };
}
writeFileSync(join(OUT, "bundles.json"), `${JSON.stringify(manifest, null, 2)}\n`);
const digest = createHash("sha256");
for (const file of Object.keys(result.metafile.outputs).sort()) digest.update(readFileSync(file));
console.log(`plotly.js ${VERSION} -> ${OUT} (${digest.digest("hex").slice(0, 12)})`);
