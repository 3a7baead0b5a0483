/**
 * The use case behind `meta-controller policy evaluate`: fold a decision log
 * and estimate the learned policy's value against the baseline.
 */
import { z } from "zod";
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

/** Folds the log and evaluates the policy it describes. */
export async function evaluateDecisionLog(options: EvaluateLogOptions): Promise<PolicyEvaluation> {
  const spec = options.environmentPath === undefined ? {} : await loadPolicySpec(options.environmentPath);
  // Evaluation asks what the learned policy would do, so the bandit is on whatever the file says.
  const policy = resolvePolicy({ ...spec, bandit: { ...spec.bandit, enabled: true } });
  const records = await loadDecisionLogPaths(options.logPaths);
  const state = foldDecisionLog(records, { policy, now: options.now });
  return evaluatePolicy(state);
}
