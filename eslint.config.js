// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import globals from "globals";
import layers from "./eslint-rules/layers.js";

/** Packages that talk to GitHub: only the entry points and `src/github/` may import them. */
const githubPackages = ["@actions/*", "probot", "octokit", "@octokit/*"];

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "coverage/**", ".meta-controller/**", "**/*.d.ts"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/restrict-template-expressions": [
        "error",
        { allowNumber: true, allowBoolean: true },
      ],
    },
  },
  {
    files: ["src/**/*.ts"],
    ignores: ["src/action/**", "src/bot/**", "src/github/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: githubPackages, message: "Only src/action, src/bot and src/github talk to GitHub." },
            { group: ["onnxruntime-node"], message: "Only src/onnx imports onnxruntime-node." },
            { group: ["openai"], message: "Only src/decision imports openai." },
          ],
        },
      ],
    },
  },
  {
    files: ["src/onnx/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: githubPackages, message: "Only src/action, src/bot and src/github talk to GitHub." },
            { group: ["openai"], message: "Only src/decision imports openai." },
          ],
        },
      ],
    },
  },
  {
    files: ["src/decision/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: githubPackages, message: "Only src/action, src/bot and src/github talk to GitHub." },
            { group: ["onnxruntime-node"], message: "Only src/onnx imports onnxruntime-node." },
          ],
        },
      ],
    },
  },
  {
    // House rules about imports: the layer table (eslint-rules/layer-table.js) and no cycles.
    files: ["src/**/*.ts"],
    plugins: { layers },
    rules: {
      "layers/layers": [
        "error",
        {
          // TEMPORARY: imports that break the layer table today, listed so the lint
          // passes while they are moved out (the library and the CLI reach into the
          // bot for run-flow use cases that belong in src/operations/). Each entry
          // is exact (importing file → imported file); the rule fails once an entry
          // no longer happens, so this list can only shrink. Empty it; do not add.
          knownViolations: [
            {
              from: "src/index.ts",
              to: "src/bot/operations.ts",
              reason: "run-flow use cases live in the bot",
            },
            {
              from: "src/index.ts",
              to: "src/bot/repository-files.ts",
              reason: "desired-state port lives in the bot",
            },
            {
              from: "src/index.ts",
              to: "src/bot/change-pr.ts",
              reason: "type of the PR a run-flow change opens",
            },
            {
              from: "src/cli/commands/bot.ts",
              to: "src/bot/run-process.ts",
              reason: "not through src/bot/start.ts",
            },
          ],
        },
      ],
      "layers/no-cycle": "error",
    },
  },
  {
    files: ["**/*.js"],
    ...tseslint.configs.disableTypeChecked,
  },
);
