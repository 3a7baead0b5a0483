/**
 * The samplers, each turned into a plan the study runs: how many trials a
 * shard runs, which earlier trials a trial must wait for, and how it picks
 * its parameters. Every proposal draws from the trial's own random stream
 * (see sample.ts), so the plan gives the same trials whatever the order in
 * which concurrent trials complete.
 *
 * What a shard runs:
 * - `grid`: every grid point, dealt round-robin; the union of the shards is
 *   the full grid (`nTrials` is not used).
 * - `random`: trial t draws from stream (seed, t) wherever it runs; the
 *   union of the shards is the unsharded study.
 * - `tpe` is sequential by nature. Each shard runs its own TPE over its share
 *   of the trials, learning only from its own trials, from a seed derived
 *   from (seed, shard). With one shard this is plain TPE; merged shards are
 *   as deterministic as any single shard.
 * - `halving`: candidates (all grid points for a grid space with
 *   `candidates: "grid"`, otherwise `nTrials` random draws) are dealt
 *   round-robin; each shard halves its own candidates down to the full
 *   budget, so every shard's finalists are scored on the same budget.
 */
import { TUNING_STRATEGIES } from "../config/tuning-names.js";
import { TuningError } from "./errors.js";
import { buildGrid, gridPoint } from "./grid.js";
import {
  buildHalvingPlan,
  findRung,
  halvingResources,
  type HalvingResource,
  type TrialBudget,
} from "./halving.js";
import { createTrialRandom, mixSeed, sampleParams, streamLabels } from "./sample.js";
import { computeTrialNumber, countShardShare, type Shard } from "./shard.js";
import type { Params, SearchSpace } from "./space.js";
import { countTpeDependencies, defaultTpeOptions, proposeTpe, type TpeOptions } from "./tpe.js";

/** Sampler names: the pipeline's tuning strategies. */
export const samplerNames = TUNING_STRATEGIES;

/** A sampler name. */
export type SamplerName = (typeof samplerNames)[number];

/** How to search. */
export type SamplerSpec =
  | { readonly type: "grid" }
  | { readonly type: "random" }
  | { readonly type: "tpe"; readonly options?: Partial<TpeOptions> }
  | {
      readonly type: "halving";
      readonly resource: HalvingResource;
      readonly minResource: number;
      readonly maxResource: number;
      /** 3 by default. */
      readonly factor?: number;
      /** Where candidates come from: `random` (default) draws `nTrials`; `grid` takes every grid point. */
      readonly candidates?: "grid" | "random";
    };

/** One trial as the study records it. */
export interface Trial {
  /** Study-wide trial number (unique across shards). */
  readonly number: number;
  readonly params: Params;
  readonly score: number;
  readonly budget?: TrialBudget;
  readonly duration_ms: number;
  readonly shard: Shard;
}

/** What a sampler decides for one trial. */
export interface Proposal {
  readonly params: Params;
  readonly budget?: TrialBudget;
}

/** A shard's schedule of trials. */
export interface SamplerPlan {
  /** Trials this shard runs. */
  readonly count: number;
  /** Study-wide number of local trial `k`. */
  number(k: number): number;
  /** How many leading local trials must be complete before local trial `k` is proposed. */
  requires(k: number): number;
  /** Parameters (and budget) of local trial `k`, given local trials `0 … requires(k) − 1`. */
  propose(k: number, completed: readonly Trial[]): Proposal;
}

/** Validates a sampler spec from any caller; an unknown name is a TuningError listing the known ones. */
export function checkSamplerSpec(spec: SamplerSpec): SamplerSpec {
  const type = (spec as { type?: unknown } | undefined)?.type;
  if (!(samplerNames as readonly unknown[]).includes(type)) {
    throw new TuningError(
      `unknown sampler ${JSON.stringify(type) ?? String(type)}; expected one of ${samplerNames.join(", ")}`,
      "strategy",
    );
  }
  if (spec.type === "halving") {
    if (!(halvingResources as readonly string[]).includes(spec.resource)) {
      throw new TuningError(
        `unknown halving resource ${JSON.stringify(spec.resource)}; expected one of ${halvingResources.join(", ")}`,
        "resource",
      );
    }
    buildHalvingPlan(1, spec.minResource, spec.maxResource, spec.factor ?? 3);
  }
  if (spec.type === "tpe") {
    const options = { ...defaultTpeOptions, ...spec.options };
    for (const [key, value] of Object.entries(options)) {
      if (!Number.isInteger(value) || value < (key === "nStartupTrials" ? 0 : 1)) {
        throw new TuningError(`tpe ${key} must be a positive integer, got ${value}`, key);
      }
    }
  }
  return spec;
}

function checkTrialCount(nTrials: number): void {
  if (!Number.isSafeInteger(nTrials) || nTrials < 1) {
    throw new TuningError(`the number of trials must be an integer >= 1, got ${nTrials}`, "n_trials");
  }
}

function buildHalvingSampler(
  spec: SamplerSpec & { type: "halving" },
  space: SearchSpace,
  nTrials: number,
  seed: number,
  direction: "maximize" | "minimize",
  shard: Shard,
): SamplerPlan {
  const grid = spec.candidates === "grid" ? buildGrid(space) : undefined;
  if (grid === undefined) checkTrialCount(nTrials);
  const totalCandidates = grid?.size ?? nTrials;
  const rungs = buildHalvingPlan(
    countShardShare(shard, totalCandidates),
    spec.minResource,
    spec.maxResource,
    spec.factor ?? 3,
  );
  const last = rungs[rungs.length - 1];
  return {
    count: last === undefined ? 0 : last.start + last.count,
    number: (k) => computeTrialNumber(shard, k),
    requires: (k) => rungs[findRung(rungs, k)]!.start,
    propose(k, completed) {
      const r = findRung(rungs, k);
      const rung = rungs[r]!;
      const budget: TrialBudget = { resource: spec.resource, value: rung.resource };
      if (r === 0) {
        const candidate = computeTrialNumber(shard, k);
        const params =
          grid === undefined
            ? sampleParams(space, createTrialRandom(seed, streamLabels.halving, candidate))
            : gridPoint(grid, candidate);
        return { params, budget };
      }
      const previous = rungs[r - 1]!;
      const ranked = completed
        .slice(previous.start, previous.start + previous.count)
        .sort((a, b) => compareTrials(a, b, direction));
      return { params: ranked[k - rung.start]!.params, budget };
    },
  };
}

/**
 * Orders trials best first: higher score when maximising, lower when
 * minimising, ties broken by the lower trial number.
 */
export function compareTrials(a: Trial, b: Trial, direction: "maximize" | "minimize"): number {
  const diff = direction === "maximize" ? b.score - a.score : a.score - b.score;
  return diff !== 0 ? diff : a.number - b.number;
}

/** Builds the plan of one shard of a study. */
export function buildSamplerPlan(
  spec: SamplerSpec,
  space: SearchSpace,
  nTrials: number,
  seed: number,
  direction: "maximize" | "minimize",
  shard: Shard,
): SamplerPlan {
  checkSamplerSpec(spec);
  const number = (k: number): number => computeTrialNumber(shard, k);
  switch (spec.type) {
    case "grid": {
      const grid = buildGrid(space);
      return {
        count: countShardShare(shard, grid.size),
        number,
        requires: () => 0,
        propose: (k) => ({ params: gridPoint(grid, number(k)) }),
      };
    }
    case "random":
      checkTrialCount(nTrials);
      return {
        count: countShardShare(shard, nTrials),
        number,
        requires: () => 0,
        propose: (k) => ({
          params: sampleParams(space, createTrialRandom(seed, streamLabels.random, number(k))),
        }),
      };
    case "tpe": {
      checkTrialCount(nTrials);
      const options: TpeOptions = { ...defaultTpeOptions, ...spec.options };
      const tpeSeed = shard.count === 1 ? seed : mixSeed(seed, streamLabels.tpeShard, shard.index);
      return {
        count: countShardShare(shard, nTrials),
        number,
        requires: (k) => countTpeDependencies(k, options),
        propose: (k, completed) => ({
          params: proposeTpe(
            space,
            completed,
            direction,
            createTrialRandom(tpeSeed, streamLabels.tpe, number(k)),
            options,
          ),
        }),
      };
    }
    case "halving":
      return buildHalvingSampler(spec, space, nTrials, seed, direction, shard);
  }
}
