/**
 * The `validate` use case: checks every pipeline, environment and bot
 * settings file it is given (folders are expanded), reporting form problems
 * with positions, and references between files: data files that do not exist
 * (a warning here, an error when training), environments named by gates or by
 * the bot settings that do not exist.
 */
import { access, readdir, stat } from "node:fs/promises";
import { basename, dirname, extname, isAbsolute, join, relative, resolve, sep } from "node:path";
import type { z } from "zod";
import type { ConfigIssue } from "../common/errors.js";
import { BotConfig } from "./bot-config.js";
import { EnvironmentSpec } from "./environment.js";
import { readAndParseConfig, type ParsedConfig } from "./load-yaml.js";
import { PipelineSpec } from "./pipeline.js";

/** The kinds of file `validate` knows. */
export type ConfigKind = "pipeline" | "environment" | "bot-config";

/** What `validate` found in one file. */
export interface FileValidation {
  readonly path: string;
  readonly kind: ConfigKind;
  readonly valid: boolean;
  readonly issues: readonly ConfigIssue[];
}

/** What `validate` found in all files. */
export interface ValidationReport {
  readonly valid: boolean;
  readonly files: readonly FileValidation[];
}

/** The default targets of `validate`, relative to the repository root. */
export const DEFAULT_VALIDATE_TARGETS = ["pipelines", "environments", ".github/meta-controller.yml"] as const;

const SCHEMAS = { pipeline: PipelineSpec, environment: EnvironmentSpec, "bot-config": BotConfig } as const;

function isYaml(path: string): boolean {
  return [".yaml", ".yml"].includes(extname(path).toLowerCase());
}

/** Decides which schema applies to a file from where it lives. */
export function detectConfigKind(path: string): ConfigKind {
  const normalized = path.split(sep).join("/");
  if (/(^|\/)\.github\/meta-controller\.ya?ml$/.test(normalized)) return "bot-config";
  if (/(^|\/)environments\//.test(normalized)) return "environment";
  return "pipeline";
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

async function expandTargets(
  root: string,
  targets: readonly string[],
  explicit: boolean,
): Promise<{ files: string[]; missing: string[] }> {
  const files: string[] = [];
  const missing: string[] = [];
  for (const target of targets) {
    const absolute = resolve(root, target);
    let info;
    try {
      info = await stat(absolute);
    } catch {
      // Defaults that a repository does not use (no bot settings, say) are not errors.
      if (explicit) missing.push(target);
      continue;
    }
    if (info.isDirectory()) {
      const entries = (await readdir(absolute)).filter(isYaml).sort();
      files.push(...entries.map((entry) => join(target, entry)));
    } else {
      files.push(target);
    }
  }
  return { files, missing };
}

function warning(config: ParsedConfig<unknown>, path: (string | number)[], message: string): ConfigIssue {
  const { line, column } = config.positionOf(path);
  return { file: config.file, line, column, field: path.join("."), message, severity: "warning" };
}

function error(config: ParsedConfig<unknown>, path: (string | number)[], message: string): ConfigIssue {
  return { ...warning(config, path, message), severity: "error" };
}

function resolveDataPath(root: string, path: string): string {
  return isAbsolute(path) ? path : resolve(root, path);
}

async function environmentExists(root: string, dir: string, name: string): Promise<boolean> {
  return (await exists(join(root, dir, `${name}.yaml`))) || exists(join(root, dir, `${name}.yml`));
}

async function checkPipelineReferences(
  root: string,
  config: ParsedConfig<PipelineSpec>,
): Promise<ConfigIssue[]> {
  const issues: ConfigIssue[] = [];
  const spec = config.value;
  const sources: [(string | number)[], string][] = [
    [["data_processing", "data_source", "path"], spec.data_processing.data_source.path],
  ];
  if (spec.evaluation.data_source)
    sources.push([["evaluation", "data_source", "path"], spec.evaluation.data_source.path]);
  for (const [path, file] of sources) {
    if (!(await exists(resolveDataPath(root, file)))) {
      issues.push(
        warning(config, path, `data file ${JSON.stringify(file)} does not exist (training will fail)`),
      );
    }
  }
  for (const [i, gate] of spec.evaluation.gates.entries()) {
    if (gate.compare_to !== undefined && !(await environmentExists(root, "environments", gate.compare_to))) {
      issues.push(
        error(
          config,
          ["evaluation", "gates", i, "compare_to"],
          `environment ${JSON.stringify(gate.compare_to)} does not exist (no environments/${gate.compare_to}.yaml)`,
        ),
      );
    }
  }
  return issues;
}

function checkEnvironmentReferences(config: ParsedConfig<EnvironmentSpec>): ConfigIssue[] {
  const expected = basename(config.file, extname(config.file));
  if (config.value.name === expected) return [];
  return [
    error(
      config,
      ["name"],
      `name ${JSON.stringify(config.value.name)} does not match the file name ${JSON.stringify(expected)}`,
    ),
  ];
}

async function checkBotReferences(root: string, config: ParsedConfig<BotConfig>): Promise<ConfigIssue[]> {
  const { default_environment: name, environments_dir: dir } = config.value;
  if (await environmentExists(root, dir, name)) return [];
  return [
    error(
      config,
      ["default_environment"],
      `environment ${JSON.stringify(name)} does not exist (no ${dir}/${name}.yaml)`,
    ),
  ];
}

/** Extra checks of a parsed pipeline, from a layer above this one (`validate --data` opens the data). */
export type PipelineCheck = (root: string, config: ParsedConfig<PipelineSpec>) => Promise<ConfigIssue[]>;

/** Options of {@link validateConfigFiles}. */
export interface ValidateOptions {
  /** Run after the pipeline's own checks, on a pipeline whose data files exist. */
  readonly checkPipeline?: PipelineCheck;
}

async function validateOne(root: string, file: string, options: ValidateOptions): Promise<FileValidation> {
  const kind = detectConfigKind(file);
  const schema: z.ZodType = SCHEMAS[kind];
  const result = await readAndParseConfig(resolve(root, file), schema);
  const shown = (issues: readonly ConfigIssue[]) => issues.map((issue) => ({ ...issue, file }));
  if (!result.ok) return { path: file, kind, valid: false, issues: shown(result.issues) };
  const config = { ...result.config, file } as ParsedConfig<unknown>;
  let issues: ConfigIssue[];
  switch (kind) {
    case "pipeline": {
      const pipeline = config as ParsedConfig<PipelineSpec>;
      issues = await checkPipelineReferences(root, pipeline);
      // A data file that does not exist has its warning already; there is nothing to open.
      const missingData = issues.some((i) => i.field.endsWith("data_source.path"));
      if (options.checkPipeline && !missingData)
        issues.push(...(await options.checkPipeline(root, pipeline)));
      break;
    }
    case "environment":
      issues = checkEnvironmentReferences(config as ParsedConfig<EnvironmentSpec>);
      break;
    case "bot-config":
      issues = await checkBotReferences(root, config as ParsedConfig<BotConfig>);
      break;
  }
  return { path: file, kind, valid: !issues.some((i) => i.severity === "error"), issues };
}

/**
 * Validates the given files and folders (default: pipelines/, environments/
 * and .github/meta-controller.yml under `root`).
 */
export async function validateConfigFiles(
  root: string,
  targets?: readonly string[],
  options: ValidateOptions = {},
): Promise<ValidationReport> {
  const explicit = targets !== undefined && targets.length > 0;
  const { files, missing } = await expandTargets(
    root,
    explicit ? targets : DEFAULT_VALIDATE_TARGETS,
    explicit,
  );
  const results = await Promise.all(files.map((file) => validateOne(root, file, options)));
  for (const target of missing) {
    results.push({
      path: target,
      kind: detectConfigKind(target),
      valid: false,
      issues: [
        { file: target, line: 1, column: 1, field: "", message: "file does not exist", severity: "error" },
      ],
    });
  }
  if (results.length === 0) {
    const where = relative(root, dirname(resolve(root, "x"))) || ".";
    results.push({
      path: where,
      kind: "pipeline",
      valid: false,
      issues: [
        {
          file: where,
          line: 1,
          column: 1,
          field: "",
          message: "no pipeline, environment or bot settings files found",
          severity: "error",
        },
      ],
    });
  }
  return { valid: results.every((r) => r.valid), files: results };
}
