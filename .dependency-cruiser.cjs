/**
 * The layers of src/, lowest first: a module may import its own folder and the layers below it,
 * never one above. This is the call order of a request (http -> calculation -> scheduler ->
 * coordination / compute) with one inversion: the scheduler owns its ports (Coordinator,
 * SchedulerStats) and coordination implements them, so coordination sits above the scheduler and
 * the scheduler imports nothing of it. docs/architecture.md draws the same picture.
 */
const LAYERS = [
  ["errors", "config", "version.ts", "logger.ts", "lifecycle.ts"],
  ["candles"],
  ["wire"],
  ["compute"],
  ["scheduler"],
  ["coordination"],
  ["calculation"],
  ["jobs"],
  ["metrics"],
  ["http"],
  ["service.ts", "main.ts"],
];

const pathOf = (names) => `^src/(${names.map((name) => name.replace(".", "\\.")).join("|")})(/|$)`;

const layerRules = LAYERS.slice(0, -1).map((layer, rank) => ({
  name: `layer-${layer[0]}`,
  comment: `${layer.join(", ")} may not import a layer above it (see LAYERS).`,
  severity: "error",
  from: { path: pathOf(layer) },
  to: { path: pathOf(LAYERS.slice(rank + 1).flat()) },
}));

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: "no-circular",
      comment: "An import cycle: the modules cannot be understood (or loaded) one after the other.",
      severity: "error",
      from: { path: "^(src|console/src)/" },
      to: { circular: true },
    },
    {
      name: "src-stands-alone",
      comment: "The service imports nothing from its tests, benchmarks, harness, scripts or console.",
      severity: "error",
      from: { path: "^src/" },
      to: { path: "^(test|bench|harness|scripts|console)/" },
    },
    {
      name: "bench-and-test-share-the-harness",
      comment: "bench/ and test/ both import harness/, never each other; harness/ imports neither.",
      severity: "error",
      from: { path: "^(bench|harness)/" },
      to: { path: "^test/" },
    },
    {
      name: "test-does-not-import-bench",
      severity: "error",
      from: { path: "^(test|harness)/" },
      to: { path: "^bench/" },
    },
    {
      name: "console-takes-types-from-src",
      comment:
        "The browser bundle takes values only from src modules that import nothing but types (anything else would pull Node code into the page).",
      severity: "error",
      from: { path: "^console/" },
      to: {
        path: "^src/",
        pathNot: "^src/(wire/media-type-names|candles/vocabulary|jobs/model)\\.ts$",
        dependencyTypesNot: ["type-only"],
      },
    },
    {
      name: "no-deep-library-imports",
      comment: "Only a package's public entry points: internals change without notice.",
      severity: "error",
      from: { path: "^src/" },
      to: { path: "node_modules/@fastify/rate-limit/store/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default"],
    },
    exclude: { path: "^(dist|node_modules)/" },
  },
};
