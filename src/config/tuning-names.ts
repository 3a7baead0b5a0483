/**
 * Names the tuning section of a pipeline accepts, declared once: the
 * pipeline schema and the tuning samplers both derive from these lists.
 */

/** Search strategies (`hyperparameter_tuning.strategy`), one sampler each. */
export const TUNING_STRATEGIES = ["grid", "random", "tpe", "halving"] as const;

/** Resources a successive-halving budget can be counted in (`hyperparameter_tuning.halving.resource`). */
export const HALVING_RESOURCES = ["n_estimators", "rows"] as const;
