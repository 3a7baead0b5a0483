/**
 * Running a study: ask the sampler's plan for trials, score them with the
 * objective (several at once when `concurrency` > 1), and pick the best.
 * The objective is a callback — the pipeline scores a candidate by k-fold CV
 * with its metric; tuning knows nothing about learners.
 *
 * Results never depend on completion order: a trial is proposed only from
 * the trials its plan says it depends on, each trial draws from its own
 * random stream, trials are reported by number, and the best is the best
 * score with ties going to the lowest trial number.
 */
import { TuningError } from "./errors.js";
import type { TrialBudget } from "./halving.js";
import {
  buildSamplerPlan,
  checkSamplerSpec,
  compareTrials,
  type SamplerSpec,
  type Trial,
} from "./samplers.js";
import { checkShard, wholeStudy, type Shard } from "./shard.js";
import { computeSpaceHash, formatCanonical, type Params, type SearchSpace } from "./space.js";

/** Whether a higher or a lower score is better. */
export type Direction = "maximize" | "minimize";

/** Scores one parameter set (optionally on a reduced budget); must return a finite number. */
export type Objective = (params: Params, budget?: TrialBudget) => Promise<number>;

/** Where a study stands after a trial completes. */
export interface StudyProgress {
  /** Trials of this shard completed so far. */
  readonly completed: number;
  /** Trials this shard runs in all. */
  readonly total: number;
  /** Best trial so far (by the study's rule). */
  readonly best: Trial;
}

/** What to run. */
export interface StudyOptions {
  readonly space: SearchSpace;
  readonly sampler: SamplerSpec;
  /** Trials of the whole study (all shards); for `halving`, the number of random candidates; unused by `grid`. */
  readonly nTrials: number;
  readonly direction: Direction;
  readonly seed: number;
  readonly objective: Objective;
  /** Called after each trial completes, in completion order. */
  readonly onTrial?: (trial: Trial, progress: StudyProgress) => void;
  /** Run only this share of the study; the whole study by default. */
  readonly shard?: Shard;
  /** Objective calls in flight at once; 1 by default. Does not change the results. */
  readonly concurrency?: number;
  /** Milliseconds clock for `duration_ms`; `performance.now` by default. */
  readonly clock?: () => number;
}

/** Names a study, so shard files can be checked to belong together. */
export interface StudyIdentity {
  readonly sampler: SamplerSpec;
  readonly seed: number;
  readonly direction: Direction;
  readonly n_trials: number;
  readonly space_hash: string;
}

/** The outcome of one shard (or the whole study). */
export interface StudyResult {
  readonly study: StudyIdentity;
  readonly shard: Shard;
  /** Ordered by trial number. */
  readonly trials: readonly Trial[];
  /** `undefined` only when this shard had no trials (more shards than grid points). */
  readonly best: Trial | undefined;
}

/**
 * The best trial: among the trials on the largest budget (all of them when
 * there are no budgets), the best score; ties go to the lowest number.
 */
export function selectBestTrial(trials: readonly Trial[], direction: Direction): Trial | undefined {
  let maxBudget = -Infinity;
  for (const t of trials) maxBudget = Math.max(maxBudget, t.budget?.value ?? -Infinity);
  let best: Trial | undefined;
  for (const t of trials) {
    if ((t.budget?.value ?? -Infinity) !== maxBudget) continue;
    if (best === undefined || compareTrials(t, best, direction) < 0) best = t;
  }
  return best;
}

/** The identity a study's shard files share. */
export function buildStudyIdentity(
  options: Pick<StudyOptions, "space" | "sampler" | "nTrials" | "direction" | "seed">,
): StudyIdentity {
  return {
    sampler: options.sampler,
    seed: options.seed,
    direction: options.direction,
    n_trials: options.nTrials,
    space_hash: computeSpaceHash(options.space),
  };
}

function checkOptions(options: StudyOptions): void {
  checkSamplerSpec(options.sampler);
  if (options.direction !== "maximize" && options.direction !== "minimize") {
    throw new TuningError(
      `direction must be maximize or minimize, got ${String(options.direction)}`,
      "direction",
    );
  }
  if (!Number.isSafeInteger(options.seed))
    throw new TuningError(`the seed must be an integer, got ${options.seed}`, "seed");
  const concurrency = options.concurrency ?? 1;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
    throw new TuningError(`concurrency must be an integer >= 1, got ${concurrency}`, "concurrency");
  }
  checkShard(options.shard ?? wholeStudy);
}

/**
 * Runs a study (or one shard of it). Rejects with a TuningError when the
 * objective returns a non-finite score (naming the trial and its
 * parameters), and with the objective's own error when it throws.
 */
export async function runStudy(options: StudyOptions): Promise<StudyResult> {
  checkOptions(options);
  const shard = options.shard ?? wholeStudy;
  const concurrency = options.concurrency ?? 1;
  const clock = options.clock ?? (() => performance.now());
  const plan = buildSamplerPlan(
    options.sampler,
    options.space,
    options.nTrials,
    options.seed,
    options.direction,
    shard,
  );
  const results: (Trial | undefined)[] = new Array<Trial | undefined>(plan.count);
  let next = 0;
  let inFlight = 0;
  let donePrefix = 0;
  let completed = 0;
  let best: Trial | undefined;
  let failed = false;

  return await new Promise<StudyResult>((resolve, reject) => {
    function fail(error: unknown): void {
      if (failed) return;
      failed = true;
      reject(error instanceof Error ? error : new Error(String(error)));
    }

    function record(
      k: number,
      proposal: { params: Params; budget?: TrialBudget },
      score: number,
      start: number,
    ): void {
      const number = plan.number(k);
      if (typeof score !== "number" || !Number.isFinite(score)) {
        throw new TuningError(
          `trial ${number} with ${formatCanonical(proposal.params)} scored ${String(score)}; the objective must return a finite number`,
        );
      }
      const trial: Trial = {
        number,
        params: proposal.params,
        score,
        ...(proposal.budget === undefined ? {} : { budget: proposal.budget }),
        duration_ms: Math.max(0, clock() - start),
        shard,
      };
      results[k] = trial;
      completed++;
      while (donePrefix < plan.count && results[donePrefix] !== undefined) donePrefix++;
      best = selectBestTrial(best === undefined ? [trial] : [best, trial], options.direction);
      options.onTrial?.(trial, { completed, total: plan.count, best: best! });
    }

    function pump(): void {
      if (failed) return;
      while (next < plan.count && inFlight < concurrency && donePrefix >= plan.requires(next)) {
        const k = next++;
        inFlight++;
        const proposal = plan.propose(k, results.slice(0, plan.requires(k)) as Trial[]);
        const start = clock();
        const call =
          proposal.budget === undefined
            ? options.objective(proposal.params)
            : options.objective(proposal.params, proposal.budget);
        Promise.resolve(call)
          .then((score) => {
            if (failed) return;
            inFlight--;
            record(k, proposal, score, start);
            pump();
          })
          .catch(fail);
      }
      if (!failed && next >= plan.count && inFlight === 0) {
        const trials = results as Trial[];
        resolve({
          study: buildStudyIdentity(options),
          shard,
          trials,
          best: selectBestTrial(trials, options.direction),
        });
      }
    }

    try {
      pump();
    } catch (error) {
      fail(error);
    }
  });
}
