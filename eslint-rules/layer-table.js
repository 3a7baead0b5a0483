// @ts-check
/**
 * The layers of `src/`, top to bottom: the one table the `layers/layers`
 * lint rule enforces and `docs/architecture.md` describes. An import may
 * point down, never up:
 *
 * - a layer with `order: "isolated"` holds parts that never import each
 *   other (an entry point does not reach into another entry point's files;
 *   one use case does not call another);
 * - a layer with `order: "top-down"` holds parts that may import only the
 *   parts listed after them in the same layer.
 *
 * Every `.ts` file under `src/` belongs to exactly one part; a new folder
 * is added here before its first file lands.
 *
 * The capability order was derived from the import graph as it stood
 * (data → learners: `Task` and model types; evaluation → learners; registry →
 * monitoring: the model card carries the training profile) and kept
 * otherwise as listed in ARCHITECTURE.md; among the orders the graph allows,
 * it is one with the fewest pairs swapped (6).
 */

/**
 * A part; `entrance`, when set, is the one file other parts may import (a
 * folder whose barrel is its only way in).
 * @typedef {{ name: string, paths: readonly string[], entrance?: string }} Part
 */
/** @typedef {{ name: string, order: "isolated" | "top-down", parts: readonly Part[] }} Layer */

/** @type {readonly Layer[]} */
export const layers = [
  {
    name: "entry points",
    order: "isolated",
    parts: [
      { name: "cli", paths: ["src/cli/"] },
      { name: "action", paths: ["src/action/"] },
      { name: "bot", paths: ["src/bot/"] },
      // The library facade (`src/index.ts`) and its helpers are one entry point.
      { name: "library", paths: ["src/index.ts", "src/library/"] },
    ],
  },
  {
    name: "use cases",
    order: "isolated",
    parts: [
      { name: "pipeline", paths: ["src/pipeline/"] },
      { name: "operations", paths: ["src/operations/"] },
      { name: "serve", paths: ["src/serve/"] },
    ],
  },
  {
    name: "capabilities",
    order: "top-down",
    parts: [
      { name: "decision", paths: ["src/decision/"] },
      { name: "tuning", paths: ["src/tuning/"] },
      { name: "onnx", paths: ["src/onnx/"], entrance: "src/onnx/index.ts" },
      { name: "deploy", paths: ["src/deploy/"] },
      { name: "registry", paths: ["src/registry/"] },
      { name: "monitoring", paths: ["src/monitoring/"] },
      { name: "features", paths: ["src/features/"] },
      { name: "evaluation", paths: ["src/evaluation/"] },
      { name: "data", paths: ["src/data/"] },
      { name: "learners", paths: ["src/learners/"] },
      { name: "github", paths: ["src/github/"] },
    ],
  },
  {
    name: "base",
    order: "top-down",
    parts: [
      { name: "config", paths: ["src/config/"] },
      { name: "common", paths: ["src/common/"] },
    ],
  },
];

/**
 * Imports that cross the table on purpose, for good.
 * @type {readonly { from: readonly string[], to: string, why: string }[]}
 */
export const allowed = [
  {
    from: ["src/cli/", "src/index.ts", "src/library/"],
    to: "src/bot/start.ts",
    why: "`meta-controller bot` and the library start the bot through its entry file, and through nothing else of the bot",
  },
];
