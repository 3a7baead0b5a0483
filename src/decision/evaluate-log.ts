/**
 * The use case behind `meta-controller policy evaluate`: fold a decision log
 * and estimate the learned policy's value against the baseline.
 */
import { z } from "zod";
import type { DataError } from "../common/errors.js";
import { loadConfigFile } from "../config/load-yaml.js";
import { loadDecisionLogPaths } from "./decision-log-file.js";
import { evaluatePolicy, type PolicyEvaluation } from "./off-policy.js";
import { PolicySpec, resolvePolicy } from "./policy-spec.js";
import { foldDecisionLog } from "./policy-state.js";

/** Inputs of {@link evaluateDecisionLog}. */
export interface EvaluateLogOptions {
  /** Files, or folders of `*.jsonl` files (the state branch's `decisions/`), read as one log in this order. */
  readonly logPaths: readonly string[];
  /** An environment file whose `policy` section sets reward settings; defaults otherwise. */
  readonly environmentPath?: string;
  readonly now: Date;
}

/** Only the `policy` section of an environment file matters here; the rest is the environment loader's business. */
const PolicySection = z.looseObject({ policy: PolicySpec.optional() });

/** Reads the `policy` section of an environment file, reporting problems at their line and column. */
export async function loadPolicySpec(path: string): Promise<PolicySpec> {
  const parsed = await loadConfigFile(path, PolicySection);
  return parsed.value.policy ?? {};
}

/** The evaluation, and the unreadable lines that were left out of it. */
export interface LogEvaluation extends PolicyEvaluation {
  /** One error per skipped line, each naming its file and line. */
  readonly skipped: readonly DataError[];
}

/** Folds the log (skipping and counting bad lines) and evaluates the policy it describes. */
export async function evaluateDecisionLog(options: EvaluateLogOptions): Promise<LogEvaluation> {
  const spec = options.environmentPath === undefined ? {} : await loadPolicySpec(options.environmentPath);
  // Evaluation asks what the learned policy would do, so the bandit is on whatever the file says.
  const policy = resolvePolicy({ ...spec, bandit: { ...spec.bandit, enabled: true } });
  const skipped: DataError[] = [];
  const records = await loadDecisionLogPaths(options.logPaths, (error) => skipped.push(error));
  const state = foldDecisionLog(records, { policy, now: options.now });
  return { ...evaluatePolicy(state), skipped };
}
