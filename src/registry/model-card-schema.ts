/**
 * The model card: a JSON document stored beside the ONNX weights that says
 * what the model is, how it was made and from which data, how well it did on
 * the holdout, and what its training data looked like (the reference profile
 * drift monitoring compares live traffic with). Keys are snake_case because
 * people and scripts read the file as is.
 *
 * This file holds the card's format (the zod schema, and its parse, encode
 * and decode); `src/pipeline/model-card.ts` builds a card from a training run.
 */
import { z } from "zod";
import { DATETIME_PARTS } from "../features/datetime.js";
import { RegistryError } from "../common/errors.js";
import { ReferenceProfile } from "../monitoring/profile/profile.js";

/** The reference profile of the training data, as monitoring defines it. */
export const CardReferenceProfile = ReferenceProfile.describe(
  "Reference profile of the training data: per-feature quantile sketches and bins, category frequencies, null counts.",
);

/** One raw input column the model expects. */
export const CardFeature = z
  .object({
    name: z.string().min(1).describe("Column name in the input data."),
    type: z
      .enum(["numeric", "categorical"])
      .describe("numeric columns are float inputs, categorical are strings."),
    categories: z
      .array(z.string())
      .optional()
      .describe("Categories seen in training, in one-hot order (categorical columns only)."),
    derived_from: z
      .strictObject({
        column: z.string().min(1).describe("The datetime column of the data and of requests."),
        part: z.enum(DATETIME_PARTS).describe("Which part of the date this input holds."),
      })
      .optional()
      .describe(
        "A numeric input computed from a datetime column (year, month, day_of_week 0 = Monday, hour; UTC): requests send the date, the server derives this.",
      ),
  })
  .strict()
  .superRefine((feature, ctx) => {
    if (feature.type !== "numeric" && feature.derived_from !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["derived_from"],
        message: "only a numeric input is derived from a date",
      });
    }
    if (feature.type === "numeric" && feature.categories !== undefined) {
      ctx.addIssue({ code: "custom", path: ["categories"], message: "a numeric feature has no categories" });
    }
  });
/** One raw input column the model expects. */
export type CardFeature = z.infer<typeof CardFeature>;

/** A data file the model was trained or evaluated on, pinned by content. */
export const CardDataFile = z
  .object({
    path: z.string().min(1).describe("Path as written in the pipeline, relative to the repository root."),
    sha256: z
      .string()
      .regex(/^[a-f0-9]{64}$/, { message: "expected 64 lowercase hex digits" })
      .describe("SHA-256 of the file's bytes."),
    role: z.enum(["train", "holdout", "data"]).optional().describe("What the file was used for."),
  })
  .strict();

/** What the tuner did, if tuning ran. */
export const CardTuning = z
  .object({
    strategy: z.string().min(1).describe("grid, random, tpe, successive halving…"),
    metric: z.string().min(1).describe("Metric the search optimised."),
    trials: z.number().int().nonnegative().describe("Configurations evaluated."),
    best_score: z.number().describe("Cross-validated score of the chosen configuration."),
    best_params: z.record(z.string(), z.unknown()).describe("The chosen configuration."),
  })
  .catchall(z.unknown());

/** The model card stored as the doc layer `model-card.json`. */
export const ModelCard = z
  .object({
    schema_version: z.literal(1).describe("Version of this card format."),
    name: z.string().min(1).describe("Model name (registry repository)."),
    version: z
      .string()
      .regex(/^v[1-9][0-9]*$/, { message: "expected v<N>, e.g. v3" })
      .describe("Registry version tag given at push, v<N>."),
    created_at: z.iso.datetime({ offset: true }).describe("When training finished, ISO 8601."),
    git_commit: z
      .string()
      .regex(/^[0-9a-f]{7,40}$/, { message: "expected a git commit hash (7–40 lowercase hex digits)" })
      .describe("Commit of the repository the model was built from."),
    git_dirty: z
      .boolean()
      .optional()
      .describe(
        "True when the pipeline file or a data file was not as committed at git_commit (changed, untracked or ignored); absent outside a git checkout.",
      ),
    uncommitted_files: z
      .array(
        z
          .object({
            path: z
              .string()
              .min(1)
              .describe("Path as the pipeline names it, relative to the repository root."),
            sha256: z
              .string()
              .regex(/^[a-f0-9]{64}$/, { message: "expected 64 lowercase hex digits" })
              .describe("SHA-256 of the working-tree bytes the model was built from."),
            status: z
              .enum(["modified", "added", "untracked", "ignored"])
              .describe("How the file differs from git_commit."),
          })
          .strict(),
      )
      .optional()
      .describe("The pipeline and data files that were not as committed, with the hashes of what was read."),
    pipeline: z
      .record(z.string(), z.unknown())
      .describe("The pipeline spec as loaded (pipelines/<name>.yaml)."),
    data_files: z.array(CardDataFile).describe("Every data file read, with its SHA-256."),
    task: z.enum(["classification", "regression"]).describe("What the model predicts."),
    target: z.string().min(1).describe("Target column."),
    classes: z
      .array(z.union([z.string(), z.number()]))
      .optional()
      .describe("Class labels in probability-column order (classification only)."),
    positive_class: z
      .union([z.string(), z.number()])
      .optional()
      .describe(
        "Binary classification: the class the binary metrics score, the last of classes (model_training.positive_class, default the label that sorts last).",
      ),
    features: z.array(CardFeature).min(1).describe("Raw input columns in graph-input order."),
    metrics: z
      .record(z.string(), z.number())
      .describe("Metrics on the holdout, computed on the ONNX artifact."),
    params: z.record(z.string(), z.unknown()).describe("Learner parameters the model was trained with."),
    tuning: CardTuning.nullable().describe("Tuning summary, or null when tuning was off."),
    training_time_ms: z.number().nonnegative().describe("Wall time of training, in milliseconds."),
    tool_version: z.string().min(1).describe("Version of meta-controller that built the model."),
    reference_profile: CardReferenceProfile,
  })
  .strict()
  .superRefine((card, ctx) => {
    const seen = new Set<string>();
    card.features.forEach((feature, index) => {
      if (seen.has(feature.name)) {
        ctx.addIssue({
          code: "custom",
          path: ["features", index, "name"],
          message: `duplicate feature ${feature.name}`,
        });
      }
      seen.add(feature.name);
    });
    if (card.task === "classification" && card.classes === undefined) {
      ctx.addIssue({ code: "custom", path: ["classes"], message: "a classifier's card lists its classes" });
    }
  })
  .describe("Model card stored with every model in the registry.");
/** The model card stored as the doc layer `model-card.json`. */
export type ModelCard = z.infer<typeof ModelCard>;

/**
 * Validates a card, throwing a {@link RegistryError} that lists every bad
 * field as `where: field: problem`.
 * @param where names the source in the message (a file path or a reference).
 */
export function parseModelCard(value: unknown, where: string): ModelCard {
  const result = ModelCard.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const field = issue.path.map(String).join(".") || "(card)";
    return `${where}: ${field}: ${issue.message}`;
  });
  throw new RegistryError(`invalid model card\n${problems.join("\n")}`);
}

/** Reads card bytes (UTF-8 JSON) and validates them. */
export function decodeModelCard(bytes: Uint8Array, where: string): ModelCard {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new RegistryError(`${where}: the model card is not valid UTF-8 JSON: ${reason}`, { cause: error });
  }
  return parseModelCard(value, where);
}

/** Serialises a card the way it is stored: two-space JSON with a final newline, so `git diff` and people can read it. */
export function encodeModelCard(card: ModelCard): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify(card, null, 2)}\n`);
}
