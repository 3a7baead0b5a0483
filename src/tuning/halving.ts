/**
 * Successive halving: evaluate many candidates on a small budget, keep the
 * best 1/factor, evaluate them on factor× the budget, and so on up to the
 * full budget (scikit-learn's `HalvingRandomSearchCV` / `HalvingGridSearchCV`,
 * factor 3). The budget is a resource the objective understands: the number
 * of boosting rounds or trees (`n_estimators`) or the number of training
 * rows (`rows`).
 */
import { HALVING_RESOURCES } from "../config/tuning-names.js";
import { TuningError } from "./errors.js";

/** Resources a halving budget can be counted in. */
export const halvingResources = HALVING_RESOURCES;

/** A resource a halving budget can be counted in. */
export type HalvingResource = (typeof halvingResources)[number];

/** How much of the resource one trial may use. */
export interface TrialBudget {
  readonly resource: HalvingResource;
  readonly value: number;
}

/** One round of halving: `count` trials starting at local trial `start`, each given `resource` units. */
export interface Rung {
  readonly start: number;
  readonly count: number;
  readonly resource: number;
}

/** Number of times `base` can multiply 1 before exceeding `x` — ⌊log_base x⌋ without float surprises. */
function floorLog(x: number, base: number): number {
  let k = 0;
  for (let v = base; v <= x * (1 + 1e-12); v *= base) k++;
  return k;
}

/**
 * Plans the rungs for `nCandidates` candidates. The last rung always uses
 * `maxResource`, so the finalists of every shard are scored on the same
 * budget and stay comparable; earlier rungs divide it by the factor.
 */
export function buildHalvingPlan(
  nCandidates: number,
  minResource: number,
  maxResource: number,
  factor = 3,
): readonly Rung[] {
  if (!Number.isInteger(minResource) || minResource < 1) {
    throw new TuningError(`halving min_resource must be an integer >= 1, got ${minResource}`, "min_resource");
  }
  if (!Number.isInteger(maxResource) || maxResource < minResource) {
    throw new TuningError(
      `halving max_resource (${maxResource}) must be an integer >= min_resource (${minResource})`,
      "max_resource",
    );
  }
  if (!(factor > 1) || !Number.isFinite(factor))
    throw new TuningError(`halving factor must be > 1, got ${factor}`, "factor");
  if (nCandidates === 0) return [];
  const nRungs = 1 + Math.min(floorLog(maxResource / minResource, factor), floorLog(nCandidates, factor));
  const rungs: Rung[] = [];
  let start = 0;
  for (let r = 0; r < nRungs; r++) {
    const count = Math.ceil(nCandidates / factor ** r);
    const resource = Math.max(minResource, Math.round(maxResource / factor ** (nRungs - 1 - r)));
    rungs.push({ start, count, resource });
    start += count;
  }
  return rungs;
}

/** The rung holding local trial `k`. */
export function findRung(rungs: readonly Rung[], k: number): number {
  for (let r = rungs.length - 1; r >= 0; r--) if (k >= rungs[r]!.start) return r;
  return 0;
}
