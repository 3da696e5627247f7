/**
 * Builds the web console into dist/console: one ES module bundle (the console's TypeScript and
 * lightweight-charts), its stylesheet and its page. The service serves these files from memory
 * (src/http/routes/console.ts); nothing is fetched from elsewhere at run time.
 */
import { copyFile, mkdir, rm } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const source = (path: string) => fileURLToPath(new URL(`../console/${path}`, import.meta.url));
const outDir = fileURLToPath(new URL("../dist/console/", import.meta.url));

await rm(outDir, { recursive: true, force: true });
await mkdir(outDir, { recursive: true });
await build({
  entryPoints: [source("src/main.ts")],
  outfile: `${outDir}console.js`,
  bundle: true,
  format: "esm",
  // The browsers that run ES2022 modules natively; the console uses nothing newer.
  target: ["es2022", "chrome100", "firefox100", "safari15"],
  minify: true,
  sourcemap: "linked",
  // lightweight-charts is Apache-2.0: its licence comment travels with the bundle.
  legalComments: "eof",
  tsconfig: source("tsconfig.json"),
  logLevel: "warning",
});
await copyFile(source("index.html"), `${outDir}index.html`);
await copyFile(source("console.css"), `${outDir}console.css`);
