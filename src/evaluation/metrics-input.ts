/**
 * Checks shared by the metric functions: every metric reads class codes
 * 0…k-1 and an n × k row-major probability matrix, and refuses anything
 * that would turn into a NaN further on.
 */
import { DataError } from "../common/errors.js";

/** Checks class codes: whole numbers in 0…k-1. */
export function checkCodes(what: string, codes: ArrayLike<number>, nClasses: number): void {
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i]!;
    if (!Number.isInteger(c) || c < 0 || c >= nClasses) {
      throw new DataError(`${what}: value ${c} at row ${i + 1} is not a class code 0…${nClasses - 1}`);
    }
  }
}

/** Checks that two arrays pair up row by row and are not empty. */
export function checkSameLength(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  if (a.length !== b.length)
    throw new DataError(`${what}: ${a.length} true values but ${b.length} predicted`);
  if (a.length === 0) throw new DataError(`${what}: no rows to score`);
}

/**
 * How far outside [0, 1] a probability may fall: float32 rounding. A binary
 * tree ensemble in onnxruntime gives class 0 as 1 − p in float32, so a p
 * summed to 1.0000001 yields −1.2e-7.
 */
const FLOAT32_SLACK = 1e-6;

/** Checks an n × k probability matrix: right size, every entry finite and in [0, 1] (within float32 rounding). */
export function checkProbabilities(probabilities: ArrayLike<number>, n: number, nClasses: number): void {
  if (!Number.isInteger(nClasses) || nClasses < 2) {
    throw new DataError(`classification metrics need at least 2 classes, got ${nClasses}`);
  }
  if (probabilities.length !== n * nClasses) {
    throw new DataError(
      `expected ${n} × ${nClasses} = ${n * nClasses} probabilities, got ${probabilities.length}`,
    );
  }
  for (let i = 0; i < probabilities.length; i++) {
    const p = probabilities[i]!;
    if (!(p >= -FLOAT32_SLACK && p <= 1 + FLOAT32_SLACK)) {
      throw new DataError(
        `probability ${p} at row ${Math.floor(i / nClasses) + 1}, class ${i % nClasses} is not a number in [0, 1]`,
      );
    }
  }
}

/** Predicted class per row: the most probable one, the first on a tie (numpy's argmax). */
export function computeArgmax(probabilities: ArrayLike<number>, nClasses: number): Int32Array {
  const n = probabilities.length / nClasses;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bestValue = probabilities[i * nClasses]!;
    for (let k = 1; k < nClasses; k++) {
      const v = probabilities[i * nClasses + k]!;
      if (v > bestValue) {
        best = k;
        bestValue = v;
      }
    }
    out[i] = best;
  }
  return out;
}
