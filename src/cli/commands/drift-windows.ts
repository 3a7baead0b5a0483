/**
 * The two windows `drift --reference --current` compares: files (CSV, or
 * Parquet by name) or a model card's reference profile against a file, cut
 * down to the columns the operator chose.
 */
import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { UsageError } from "../../common/errors.js";
import { selectFrameColumns, type Frame } from "../../data/frame.js";
import { loadTable, tableSourceOf } from "../../data/load-table.js";
import {
  selectDriftColumns,
  type DriftColumnChoice,
  type ExcludedColumn,
} from "../../monitoring/drift/column-selection.js";
import type { ReferenceProfile } from "../../monitoring/profile/profile.js";
import { listPipelineColumns } from "../../pipeline/spec-mapping.js";
import { loadPipeline } from "../../pipeline/train.js";
import { openConfiguredRegistry, type RegistryFlags } from "../../registry/open-registry.js";
import { parseModelReference } from "../../registry/reference.js";
import type { CliContext } from "../context.js";
import {
  DATETIME_PARTS,
  expandDateTimeColumns,
  listDateTimeInputs,
  listRawColumns,
  partName,
} from "../../features/datetime.js";
import type { ModelCard } from "../../registry/model-card-schema.js";

/** The flags that choose the compared columns. */
export interface DriftWindowFlags extends RegistryFlags {
  columns?: string;
  exclude?: string;
  pipeline?: string;
}

/** The windows, and the columns left out of both. */
export interface DriftWindows {
  readonly reference: Frame | ReferenceProfile;
  readonly current: Frame;
  readonly excluded: ExcludedColumn[];
}

/** Splits a comma-separated flag value, dropping blanks. */
export function parseList(text: string | undefined): string[] {
  if (text === undefined) return [];
  return text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

function looksLikeDataPath(text: string): boolean {
  return /\.(csv|tsv|txt|parquet)$/i.test(text) || text.includes("/") || text.includes("\\");
}

/** Kinds forced by `--categorical`, checked against the profile's own kinds. */
function buildTypes(
  categorical: readonly string[],
  profile?: ReferenceProfile,
): Record<string, "numeric" | "categorical"> {
  const types: Record<string, "numeric" | "categorical"> = {};
  if (profile) {
    for (const column of profile.columns) types[column.name] = column.kind;
    for (const name of categorical) {
      if (types[name] === undefined) {
        throw new UsageError(
          `--categorical ${name}: the model's profile has no column ${JSON.stringify(name)}`,
        );
      }
      if (types[name] !== "categorical") {
        throw new UsageError(
          `--categorical ${name}: the model's profile records ${JSON.stringify(name)} as numeric`,
        );
      }
    }
    return types;
  }
  for (const name of categorical) types[name] = "categorical";
  return types;
}

async function pullProfile(
  flags: RegistryFlags,
  root: string,
  text: string,
): Promise<{ profile: ReferenceProfile; features: ModelCard["features"] }> {
  const ref = parseModelReference(text);
  const { registry } = openConfiguredRegistry(flags, { root });
  const pulled = await registry.pull(ref);
  return { profile: pulled.card.reference_profile, features: pulled.card.features };
}

/** The columns the operator chose, and the pipeline's target and features when `--pipeline` is given. */
async function buildColumnChoice(flags: DriftWindowFlags, root: string): Promise<DriftColumnChoice> {
  const choice: { -readonly [K in keyof DriftColumnChoice]: DriftColumnChoice[K] } = {};
  if (flags.columns !== undefined) choice.columns = parseList(flags.columns);
  if (flags.exclude !== undefined) choice.exclude = parseList(flags.exclude);
  if (flags.pipeline !== undefined) {
    const spec = await loadPipeline(root, flags.pipeline);
    const target = spec.model_training.target_column;
    choice.pipeline = {
      path: flags.pipeline,
      target,
      // A datetime column counts with its parts, which a model's profile names.
      features: [
        ...listPipelineColumns(spec).filter((name) => name !== target),
        ...listDateTimeInputs(spec.data_processing.feature_engineering.datetime_features).map((i) => i.name),
      ],
    };
  }
  return choice;
}

/**
 * Loads the two windows and keeps the chosen columns. A file reference is
 * read whole; a model reference gives the profile, and the current file's
 * header (one row read) says which of its columns it has before it is read.
 */
export async function loadDriftWindows(
  context: CliContext,
  flags: DriftWindowFlags,
  categorical: readonly string[],
  paths: { readonly reference: string; readonly current: string },
): Promise<DriftWindows> {
  const choice = await buildColumnChoice(flags, context.root);
  const referencePath = resolve(context.root, paths.reference);
  const currentPath = resolve(context.root, paths.current);
  if ((await isFile(referencePath)) || looksLikeDataPath(paths.reference)) {
    const options = { types: buildTypes(categorical) };
    context.logger.info({ reference: referencePath }, "loading the reference data");
    const reference = await loadTable(tableSourceOf(referencePath), options);
    context.logger.info({ current: currentPath }, "loading the current data");
    const current = await loadTable(tableSourceOf(currentPath), options);
    const selection = selectDriftColumns(
      { source: paths.reference, names: reference.columns.map((c) => c.name) },
      { source: paths.current, names: current.columns.map((c) => c.name) },
      choice,
    );
    return {
      reference: selectFrameColumns(reference, selection.compared),
      current: selectFrameColumns(current, selection.compared),
      excluded: selection.excluded,
    };
  }
  context.logger.info({ model: paths.reference }, "reading the reference profile from the model card");
  const { profile, features } = await pullProfile(flags, context.root, paths.reference);
  const types = buildTypes(categorical, profile);
  const header = await loadTable(tableSourceOf(currentPath), { maxRows: 1 });
  // The profile names a date's parts; the file holds the date, which counts as its parts.
  const derived = new Map(features.map((f) => [f.name, f.derived_from] as const));
  const datetimes = new Set(listRawColumns(features).datetimes);
  const headerNames = header.columns.flatMap((c) =>
    datetimes.has(c.name) ? DATETIME_PARTS.map((part) => partName(c.name, part)) : [c.name],
  );
  const selection = selectDriftColumns(
    { source: paths.reference, names: profile.columns.map((c) => c.name) },
    { source: paths.current, names: headerNames },
    choice,
  );
  const compared = new Set(selection.compared);
  context.logger.info({ current: currentPath }, "loading the current data");
  const raw = listRawColumns(selection.compared.map((name) => ({ name, derived_from: derived.get(name) })));
  const loaded = await loadTable(tableSourceOf(currentPath), {
    columns: raw.columns,
    types: Object.fromEntries(
      raw.columns.map((name) => [name, raw.datetimes.includes(name) ? "categorical" : types[name]!] as const),
    ),
  });
  const current = selectFrameColumns(
    expandDateTimeColumns(loaded, raw.datetimes, currentPath),
    selection.compared,
  );
  return {
    reference: { ...profile, columns: profile.columns.filter((c) => compared.has(c.name)) },
    current,
    excluded: selection.excluded,
  };
}
