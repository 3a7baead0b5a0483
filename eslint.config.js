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
  // Examples are plain JavaScript a user copies (no types, no project): the untyped rules only.
  { files: ["examples/**/*.mjs"], ...tseslint.configs.disableTypeChecked },
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
      "layers/layers": "error",
      // Rooms a person can read: no function in src/ over 100 lines, comments and blank lines included.
      "max-lines-per-function": [
        "error",
        { max: 100, skipBlankLines: false, skipComments: false, IIFEs: true },
      ],
      "layers/no-cycle": "error",
    },
  },
  {
    files: ["**/*.js"],
    ...tseslint.configs.disableTypeChecked,
  },
);
