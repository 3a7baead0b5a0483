/**
 * Drawing parameters uniformly from a space, and the per-trial random
 * streams every sampler uses. A trial's stream depends only on the study
 * seed, a purpose label and the trial's number, never on which trials ran
 * before or where: that is what makes shards and concurrent trials
 * reproducible.
 */
import { createRandom, type Random } from "../common/random.js";
import type { Distribution, ParamValue, Params, SearchSpace } from "./space.js";

/** Purposes of the derived streams, so two uses of one trial number never share draws. */
export const streamLabels = { random: 1, tpe: 2, tpeShard: 3, halving: 4 } as const;

/** Mixes 32-bit words into one well-spread 32-bit seed (murmur3's finaliser over a running hash). */
export function mixSeed(...words: readonly number[]): number {
  let h = 0x9747b28c;
  for (const word of words) {
    let k = Math.imul(word >>> 0, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) >>> 0;
    // Fold in the high part of large seeds too, so seed and seed + 2^32 differ.
    h ^= Math.floor(Math.abs(word) / 0x100000000) >>> 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The random stream of trial `number` for one purpose. */
export function createTrialRandom(seed: number, label: number, number: number): Random {
  return createRandom(mixSeed(seed, label, number));
}

/** Rounds away binary noise such as 0.1 + 2·0.1 = 0.30000000000000004. */
export function tidyNumber(x: number): number {
  return Number(x.toPrecision(12));
}

/** One value drawn uniformly from a distribution (log-uniform when `log`). */
export function sampleUniform(distribution: Distribution, random: Random): ParamValue {
  switch (distribution.type) {
    case "categorical":
      return distribution.choices[random.int(distribution.choices.length)]!;
    case "int": {
      const { low, high, step } = distribution;
      if (distribution.log) {
        // Like Optuna: uniform in log space over [low - ½, high + ½], then rounded.
        const a = Math.log(low - 0.5);
        const b = Math.log(high + 0.5);
        return Math.min(high, Math.max(low, Math.round(Math.exp(a + (b - a) * random.next()))));
      }
      return low + step * random.int(Math.floor((high - low) / step) + 1);
    }
    case "float": {
      const { low, high, step } = distribution;
      if (distribution.log) return Math.exp(Math.log(low) + (Math.log(high) - Math.log(low)) * random.next());
      if (step !== undefined)
        return tidyNumber(low + step * random.int(Math.floor((high - low) / step + 1e-9) + 1));
      return low + (high - low) * random.next();
    }
  }
}

/** A whole parameter set drawn uniformly, parameters in name order. */
export function sampleParams(space: SearchSpace, random: Random): Params {
  const params: Record<string, ParamValue> = {};
  for (const { name, distribution } of space.params) params[name] = sampleUniform(distribution, random);
  return params;
}
