/**
 * Checks that a model's graph inputs are what the pipeline will feed it: one
 * float input per numeric feature, one string input per categorical feature,
 * each shaped `[N, 1]` (or `[N]`). Used for models trained by a user's own
 * command, which we did not export ourselves.
 */
import { OnnxError } from "../common/errors.js";
import type { Task } from "../learners/model.js";
import { findOnnxOutputRoles } from "./predict.js";
import { createOnnxSession, describeOnnxInputs, type OnnxValueDescription } from "./session.js";

/** A column the pipeline will feed. */
export interface ExpectedOnnxInput {
  readonly name: string;
  readonly kind: "numeric" | "categorical";
}

const ACCEPTED = {
  numeric: ["float", "double"],
  categorical: ["string"],
} as const satisfies Record<ExpectedOnnxInput["kind"], readonly string[]>;

function describeShape(shape: OnnxValueDescription["shape"]): string {
  return shape === null ? "unknown" : `[${shape.map((d) => (typeof d === "number" ? d : "N")).join(", ")}]`;
}

/**
 * Lists every mismatch between the model's inputs and the pipeline's
 * features; throws one OnnxError naming `source` and each bad input.
 */
export function checkOnnxInputs(
  actual: readonly OnnxValueDescription[],
  expected: readonly ExpectedOnnxInput[],
  source: string,
): void {
  const problems: string[] = [];
  const byName = new Map(actual.map((input) => [input.name, input]));
  for (const feature of expected) {
    const input = byName.get(feature.name);
    const wanted = feature.kind === "numeric" ? "tensor(float)" : "tensor(string)";
    if (input === undefined) {
      problems.push(`missing input "${feature.name}" (${feature.kind} feature, expected ${wanted} [N, 1])`);
      continue;
    }
    if (!(ACCEPTED[feature.kind] as readonly string[]).includes(input.elementType)) {
      problems.push(
        `input "${feature.name}" is tensor(${input.elementType}) but the pipeline feeds the ${feature.kind} feature as ${wanted}`,
      );
    }
    const shape = input.shape;
    const rankOk =
      shape === null ||
      shape.length === 1 ||
      (shape.length === 2 && (typeof shape[1] !== "number" || shape[1] === 1));
    if (!rankOk) {
      problems.push(`input "${feature.name}" has shape ${describeShape(shape)}, expected [N, 1]`);
    }
  }
  const known = new Set(expected.map((f) => f.name));
  for (const input of actual) {
    if (!known.has(input.name)) {
      problems.push(`input "${input.name}" is not one of the pipeline's features (${[...known].join(", ")})`);
    }
  }
  if (problems.length > 0) {
    throw new OnnxError(
      `${source}: the model's inputs do not match the pipeline's features:\n  - ${problems.join("\n  - ")}`,
    );
  }
}

/** Loads a model's bytes and checks its inputs against the pipeline's features (see {@link checkOnnxInputs}). */
export async function verifyOnnxModelInputs(
  bytes: Uint8Array,
  expected: readonly ExpectedOnnxInput[],
  source: string,
): Promise<void> {
  checkOnnxInputs(await describeOnnxInputs(bytes, source), expected, source);
}

/**
 * Loads a model's bytes and checks both ends: its inputs against the
 * pipeline's features, its outputs against the task (see
 * {@link findOnnxOutputRoles}). What `model_type: command` runs on the file
 * the user's command wrote.
 */
export async function verifyOnnxModel(
  bytes: Uint8Array,
  expected: { readonly features: readonly ExpectedOnnxInput[]; readonly task: Task },
  source: string,
): Promise<void> {
  const session = await createOnnxSession(bytes, { warmUp: false, source });
  try {
    checkOnnxInputs(session.inputs, expected.features, source);
    findOnnxOutputRoles(session.outputs, expected.task, source);
  } finally {
    await session.release();
  }
}
