/**
 * Renders Prometheus alerting rules from the `checks` of environment files,
 * so the thresholds a person wrote once in Git drive both the server's own
 * canary guard and the alerts Prometheus raises for every replica. The rule
 * expressions read the server's metrics (src/serve/metrics.ts) and carry the
 * labels the bot's alert intake understands: `environment`, `model`,
 * `digest` (the model version that misbehaves), `kind` and `severity`.
 */
import { stringify } from "yaml";
import { UsageError } from "../common/errors.js";
import type { Checks, EnvironmentSpec } from "../config/environment.js";

/** Inputs besides the environments. */
export interface PrometheusRulesOptions {
  /** Range of `rate()`/`increase()` windows, a Prometheus duration such as `5m` or `10s`. */
  readonly window?: string;
  /** How long a condition must hold before the alert fires, e.g. `1m`; `0s` fires at once. */
  readonly for?: string;
  /** Extra label matchers for every series, e.g. `job="model-server-production"`, to tell servers apart. */
  readonly selector?: string;
  /** `owner/name` of the GitOps repository, put on every alert so one bot can serve several repositories. */
  readonly repository?: string;
  /** Evaluation interval of the rule groups, e.g. `1s`; Prometheus's global one when absent. */
  readonly interval?: string;
}

/** One alerting rule, in Prometheus's rule-file layout. */
export interface AlertingRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

/** One rule group per environment. */
export interface RuleGroup {
  readonly name: string;
  readonly interval?: string;
  readonly rules: readonly AlertingRule[];
}

const DURATION = /^(\d+(ms|s|m|h|d|w|y))+$/;
const SELECTOR =
  /^\s*[a-zA-Z_][a-zA-Z0-9_]*\s*(=|!=|=~|!~)\s*"(?:[^"\\]|\\.)*"\s*(,\s*[a-zA-Z_][a-zA-Z0-9_]*\s*(=|!=|=~|!~)\s*"(?:[^"\\]|\\.)*"\s*)*,?\s*$/;
const REPOSITORY = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

function checkDuration(flag: string, value: string): string {
  if (!DURATION.test(value)) {
    throw new UsageError(
      `${flag} ${JSON.stringify(value)}: expected a Prometheus duration such as 30s, 5m or 1h`,
    );
  }
  return value;
}

/** PromQL string literal: double quotes with backslash escapes. */
function quote(value: string): string {
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** A number as PromQL reads it, without exponent surprises for small thresholds. */
function number(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(12)));
}

function matchers(model: string, selector: string | undefined, extra = ""): string {
  const parts = [`model=${quote(model)}`];
  if (extra) parts.push(extra);
  if (selector) parts.push(selector.trim().replace(/,$/, ""));
  return `{${parts.join(", ")}}`;
}

/**
 * Attaches the model's digest label: `meta_controller_model_info` carries it
 * per (model, version); `max by` removes the role so a version loaded once
 * joins once.
 */
function withDigest(expr: string, m: string): string {
  return `(${expr}) * on (model, version) group_left (digest) max by (model, version, digest) (meta_controller_model_info${m})`;
}

/** The alert of an aborted rollout: the server sent traffic back to stable, Git still names the candidate. */
function rolloutAbortedRule(
  env: EnvironmentSpec,
  base: Readonly<Record<string, string>>,
  selector: string | undefined,
): AlertingRule {
  const rollout = matchers(env.model, selector, `environment=${quote(env.name)}, state="aborted"`);
  return {
    alert: "MetaControllerRolloutAborted",
    expr: `max by (environment, model) (meta_controller_rollout_state${rollout}) == 1`,
    for: "0s",
    labels: { ...base, kind: "rollout_aborted", severity: "critical" },
    annotations: {
      summary: `${env.name}: the server aborted the rollout of {{ $labels.model }}`,
      description: "The server's guard sent all traffic back to stable; Git still names the candidate.",
    },
  };
}

function buildRules(
  env: EnvironmentSpec,
  checks: Checks,
  options: Required<Pick<PrometheusRulesOptions, "window" | "for">> & PrometheusRulesOptions,
): AlertingRule[] {
  const { window, selector } = options;
  const m = matchers(env.model, selector);
  const base: Record<string, string> = { environment: env.name, model: env.model };
  if (options.repository !== undefined) base.repository = options.repository;
  const rules: AlertingRule[] = [];
  const enough = `sum by (model, version) (increase(meta_controller_requests_total${m}[${window}])) >= ${checks.min_requests}`;
  if (checks.error_rate !== undefined) {
    const max = number(checks.error_rate.max);
    const rate = `sum by (model, version) (rate(meta_controller_errors_total${m}[${window}])) / sum by (model, version) (rate(meta_controller_requests_total${m}[${window}]))`;
    rules.push({
      alert: "MetaControllerErrorRateHigh",
      expr: withDigest(`(${rate} > ${max}) and on (model, version) (${enough})`, m),
      for: options.for,
      labels: { ...base, kind: "error_rate", severity: "critical" },
      annotations: {
        summary: `${env.name}: {{ $labels.model }} {{ $labels.version }} fails {{ $value | humanizePercentage }} of requests`,
        description: `Error rate over ${window} is above the environment's error_rate.max.`,
        value: "{{ $value }}",
        threshold: max,
        // Which side of the threshold is bad, so the bot reads the value the right way round.
        direction: "above",
      },
    });
  }
  if (checks.latency_p99 !== undefined) {
    const maxMs = number(checks.latency_p99.max_ms);
    const p99 = `histogram_quantile(0.99, sum by (model, version, le) (rate(meta_controller_request_duration_seconds_bucket${m}[${window}]))) * 1000`;
    rules.push({
      alert: "MetaControllerLatencyHigh",
      expr: withDigest(`(${p99} > ${maxMs}) and on (model, version) (${enough})`, m),
      for: options.for,
      labels: { ...base, kind: "latency", severity: "warning" },
      annotations: {
        summary: `${env.name}: {{ $labels.model }} {{ $labels.version }} p99 latency is {{ $value | printf "%.1f" }} ms`,
        description: `p99 latency over ${window} is above the environment's latency_p99.max_ms.`,
        value: "{{ $value }}",
        threshold: maxMs,
        // Which side of the threshold is bad, so the bot reads the value the right way round.
        direction: "above",
      },
    });
  }
  if (checks.drift !== undefined) {
    const alpha = number(checks.drift.alpha);
    // Bonferroni across the model's features, as the server's own guard does,
    // so the environment-level false-alarm rate stays at alpha.
    const pMin = `min by (model, version) (meta_controller_drift_p_value${m})`;
    const features = `count by (model, version) (meta_controller_drift_p_value${m})`;
    rules.push({
      alert: "MetaControllerDriftDetected",
      expr: withDigest(`${pMin} < on (model, version) (${alpha} / ${features})`, m),
      for: options.for,
      labels: { ...base, kind: "drift", severity: "warning" },
      annotations: {
        summary: `${env.name}: inputs of {{ $labels.model }} {{ $labels.version }} drifted (smallest p = {{ $value | printf "%.2e" }})`,
        description: `A feature's chi-squared p-value is below alpha ${alpha} divided by the number of features.`,
        value: "{{ $value }}",
        threshold: alpha,
        // Which side of the threshold is bad, so the bot reads the value the right way round.
        direction: "below",
      },
    });
  }
  if (checks.accuracy !== undefined) {
    const min = number(checks.accuracy.min);
    const labelled = `sum by (model, version) (meta_controller_feedback_total${m}) >= ${checks.accuracy.min_samples}`;
    rules.push({
      alert: "MetaControllerAccuracyLow",
      expr: withDigest(
        `(max by (model, version) (meta_controller_accuracy_ratio${m}) < ${min}) and on (model, version) (${labelled})`,
        m,
      ),
      for: options.for,
      labels: { ...base, kind: "accuracy", severity: "critical" },
      annotations: {
        summary: `${env.name}: live accuracy of {{ $labels.model }} {{ $labels.version }} is {{ $value | humanizePercentage }}`,
        description: "Accuracy from feedback labels is below the environment's accuracy.min.",
        value: "{{ $value }}",
        threshold: min,
        // Which side of the threshold is bad, so the bot reads the value the right way round.
        direction: "below",
      },
    });
  }
  rules.push(rolloutAbortedRule(env, base, selector));
  return rules;
}

/**
 * Builds one rule group per environment. Pure; throws UsageError naming the
 * option or environment that cannot be rendered.
 */
export function buildPrometheusRuleGroups(
  environments: readonly EnvironmentSpec[],
  options: PrometheusRulesOptions = {},
): RuleGroup[] {
  const window = checkDuration("--window", options.window ?? "5m");
  const forDuration = checkDuration("--for", options.for ?? "1m");
  if (options.interval !== undefined) checkDuration("--interval", options.interval);
  if (options.selector !== undefined && options.selector.trim() !== "" && !SELECTOR.test(options.selector)) {
    throw new UsageError(
      `--selector ${JSON.stringify(options.selector)}: expected label matchers such as job="model-server", env=~"prod.*"`,
    );
  }
  if (options.repository !== undefined && !REPOSITORY.test(options.repository)) {
    throw new UsageError(`--repository ${JSON.stringify(options.repository)}: expected owner/name`);
  }
  const seen = new Set<string>();
  return environments.map((env) => {
    if (seen.has(env.name)) {
      throw new UsageError(`environment ${env.name} is given twice; each environment gets one rule group`);
    }
    seen.add(env.name);
    const selector = options.selector?.trim() ? options.selector : undefined;
    const rules = buildRules(env, env.checks, {
      ...options,
      ...(selector === undefined ? {} : { selector }),
      window,
      for: forDuration,
    });
    return {
      name: `meta-controller-${env.name}`,
      ...(options.interval === undefined ? {} : { interval: options.interval }),
      rules,
    };
  });
}

/** Renders the rule file (`groups:` YAML) Prometheus loads with `rule_files`. */
export function renderPrometheusRules(
  environments: readonly EnvironmentSpec[],
  options: PrometheusRulesOptions = {},
): string {
  const groups = buildPrometheusRuleGroups(environments, options);
  const header = "# Rendered by `meta-controller render prometheus-rules` from environments/*.yaml checks.\n";
  return header + stringify({ groups }, { lineWidth: 0 });
}
