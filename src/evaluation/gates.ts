/**
 * Quality gates: a model must clear absolute bounds, and must not fall more
 * than `max_regression` behind the champion (the model serving in an
 * environment) on the same holdout. Pure: the caller evaluates the champion.
 */
import { LOWER_IS_BETTER } from "./metrics.js";

/** A gate as the pipeline file states it. */
export interface GateSpec {
  readonly metric: string;
  readonly min?: number | undefined;
  readonly max?: number | undefined;
  readonly compare_to?: string | undefined;
  readonly max_regression?: number | undefined;
}

/** The champion's metrics on the same holdout, by environment; `null` when the environment serves nothing yet. */
export type ChampionMetrics = Readonly<
  Record<string, { ref: string; metrics: Readonly<Record<string, number>> } | null>
>;

/** The outcome of one gate. */
export interface GateResult {
  readonly metric: string;
  readonly passed: boolean;
  readonly value: number | null;
  readonly min?: number;
  readonly max?: number;
  readonly compare_to?: string;
  readonly champion_ref?: string;
  readonly champion_value?: number;
  readonly max_regression?: number;
  /** One line a person reads in the report. */
  readonly message: string;
}

/** All gates together. */
export interface GateOutcome {
  readonly passed: boolean;
  readonly results: readonly GateResult[];
}

function format(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(4);
}

function checkGate(
  gate: GateSpec,
  metrics: Readonly<Record<string, number>>,
  champions: ChampionMetrics,
): GateResult {
  const value = metrics[gate.metric];
  const base = {
    metric: gate.metric,
    value: value ?? null,
    ...(gate.min !== undefined ? { min: gate.min } : {}),
    ...(gate.max !== undefined ? { max: gate.max } : {}),
  };
  if (value === undefined) {
    return {
      ...base,
      passed: false,
      message: `${gate.metric} is not available for this model, so the gate cannot pass`,
    };
  }
  const failures: string[] = [];
  if (gate.min !== undefined && value < gate.min) failures.push(`${format(value)} < min ${format(gate.min)}`);
  if (gate.max !== undefined && value > gate.max) failures.push(`${format(value)} > max ${format(gate.max)}`);
  if (gate.compare_to === undefined) {
    return {
      ...base,
      passed: failures.length === 0,
      message: failures.length
        ? `${gate.metric} ${failures.join(", ")}`
        : `${gate.metric} ${format(value)} within bounds`,
    };
  }

  const allowed = gate.max_regression ?? 0;
  const relative = { ...base, compare_to: gate.compare_to, max_regression: allowed };
  const champion = champions[gate.compare_to];
  if (champion === undefined || champion === null) {
    return {
      ...relative,
      passed: failures.length === 0,
      message: `${gate.compare_to} serves no model yet; nothing to compare ${gate.metric} with${failures.length ? `; ${failures.join(", ")}` : ""}`,
    };
  }
  const championValue = champion.metrics[gate.metric];
  if (championValue === undefined) {
    return {
      ...relative,
      champion_ref: champion.ref,
      passed: failures.length === 0,
      message: `the champion has no ${gate.metric}; comparison skipped`,
    };
  }
  // Regression is measured in the metric's own direction: higher log loss is worse.
  const regression = LOWER_IS_BETTER.has(gate.metric) ? value - championValue : championValue - value;
  if (regression > allowed + 1e-12) {
    failures.push(
      `${format(regression)} worse than ${gate.compare_to} (${format(championValue)}), more than ${format(allowed)} allowed`,
    );
  }
  return {
    ...relative,
    champion_ref: champion.ref,
    champion_value: championValue,
    passed: failures.length === 0,
    message: failures.length
      ? `${gate.metric} ${failures.join(", ")}`
      : `${gate.metric} ${format(value)} vs ${gate.compare_to} ${format(championValue)}`,
  };
}

/** Checks every gate. No gates means passed. */
export function evaluateGates(
  gates: readonly GateSpec[],
  metrics: Readonly<Record<string, number>>,
  champions: ChampionMetrics = {},
): GateOutcome {
  const results = gates.map((gate) => checkGate(gate, metrics, champions));
  return { passed: results.every((r) => r.passed), results };
}
