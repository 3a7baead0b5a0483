/**
 * The use case behind `meta-controller policy evaluate`: fold a decision log
 * and estimate the learned policy's value against the baseline.
 */
import { readFile } from "node:fs/promises";
import { parse as parseYaml } from "yaml";
import { ConfigError } from "../common/errors.js";
import { loadDecisionLogFile } from "./decision-log-file.js";
import { evaluatePolicy, type PolicyEvaluation } from "./off-policy.js";
import { PolicySpec, resolvePolicy } from "./policy-spec.js";
import { foldDecisionLog } from "./policy-state.js";

/** Inputs of {@link evaluateDecisionLog}. */
export interface EvaluateLogOptions {
  readonly logPath: string;
  /** An environment file whose `policy` section sets reward settings; defaults otherwise. */
  readonly environmentPath?: string;
  readonly now: Date;
}

/** Reads the `policy` section of an environment file. */
export async function loadPolicySpec(path: string): Promise<PolicySpec> {
  let document: unknown;
  try {
    document = parseYaml(await readFile(path, "utf8"));
  } catch (error) {
    throw new ConfigError(
      [{ file: path, line: 1, column: 1, field: "", message: (error as Error).message, severity: "error" }],
      {
        cause: error,
      },
    );
  }
  const section =
    document !== null && typeof document === "object"
      ? (document as Record<string, unknown>).policy
      : undefined;
  const parsed = PolicySpec.safeParse(section ?? {});
  if (parsed.success) return parsed.data;
  throw new ConfigError(
    parsed.error.issues.map((issue) => ({
      file: path,
      line: 1,
      column: 1,
      field: ["policy", ...issue.path.map(String)].join("."),
      message: issue.message,
      severity: "error" as const,
    })),
  );
}

/** Folds the log and evaluates the policy it describes. */
export async function evaluateDecisionLog(options: EvaluateLogOptions): Promise<PolicyEvaluation> {
  const spec = options.environmentPath === undefined ? {} : await loadPolicySpec(options.environmentPath);
  // Evaluation asks what the learned policy would do, so the bandit is on whatever the file says.
  const policy = resolvePolicy({ ...spec, bandit: { ...spec.bandit, enabled: true } });
  const records = await loadDecisionLogFile(options.logPath);
  const state = foldDecisionLog(records, { policy, now: options.now });
  return evaluatePolicy(state);
}
