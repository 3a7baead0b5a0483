/**
 * Seeded train/test splits and k-fold cross-validation folds, following
 * scikit-learn's rules (`train_test_split`, `StratifiedShuffleSplit`,
 * `KFold`, `StratifiedKFold`) so sizes and per-class counts match what an
 * ML engineer expects. All randomness comes from `common/random.ts`.
 */
import { DataError } from "../common/errors.js";
import { createRandom, shuffleInPlace, type Random } from "../common/random.js";

/** Row indices of one split, each list sorted ascending. */
export interface Split {
  readonly train: Int32Array;
  readonly test: Int32Array;
}

/** Options of {@link trainTestSplit}. */
export interface TrainTestSplitOptions {
  /** A fraction in (0, 1) (test rows = ⌈testSize·n⌉) or a row count ≥ 1. */
  readonly testSize: number;
  /** Class codes 0…k-1, one per row: keeps each class's share in both parts. */
  readonly stratify?: ArrayLike<number>;
  /** Class labels by code, to name a class in error messages. */
  readonly classNames?: readonly string[];
  readonly seed: number;
}

/** Test and train sizes, as scikit-learn's `_validate_shuffle_split` computes them. */
export function computeSplitSizes(n: number, testSize: number): { nTrain: number; nTest: number } {
  let nTest: number;
  if (Number.isInteger(testSize) && testSize >= 1) {
    if (testSize >= n) throw new DataError(`test_size=${testSize} must be smaller than the number of rows (${n})`);
    nTest = testSize;
  } else if (testSize > 0 && testSize < 1) {
    nTest = Math.ceil(testSize * n);
  } else {
    throw new DataError(`test_size=${testSize} must be a fraction in (0, 1) or a whole number of rows`);
  }
  const nTrain = n - nTest;
  if (nTrain <= 0) {
    throw new DataError(`with ${n} rows and test_size=${testSize}, the training set would be empty`);
  }
  return { nTrain, nTest };
}

function sortedCopy(values: number[]): Int32Array {
  return Int32Array.from(values).sort();
}

/**
 * Shares `nDraws` among classes in proportion to their counts; leftover
 * draws go to the largest remainders, ties broken at random (scikit-learn's
 * `_approximate_mode`).
 */
export function allocateByClass(classCounts: readonly number[], nDraws: number, random: Random): number[] {
  const total = classCounts.reduce((a, b) => a + b, 0);
  const continuous = classCounts.map((c) => (c / total) * nDraws);
  const floored = continuous.map(Math.floor);
  let needToAdd = nDraws - floored.reduce((a, b) => a + b, 0);
  if (needToAdd > 0) {
    const remainder = continuous.map((c, k) => c - floored[k]!);
    const levels = [...new Set(remainder)].sort((a, b) => b - a);
    for (const level of levels) {
      const tied = remainder.flatMap((r, k) => (r === level ? [k] : []));
      shuffleInPlace(tied, random);
      const addNow = Math.min(tied.length, needToAdd);
      for (let t = 0; t < addNow; t++) floored[tied[t]!]! += 1;
      needToAdd -= addNow;
      if (needToAdd === 0) break;
    }
  }
  return floored;
}

/** Row indices of each class, in row order. */
function groupByClass(y: ArrayLike<number>): number[][] {
  const groups: number[][] = [];
  for (let i = 0; i < y.length; i++) {
    const k = y[i]!;
    if (!Number.isInteger(k) || k < 0) throw new DataError(`class code ${k} at row ${i + 1} is not a code 0…k-1`);
    while (groups.length <= k) groups.push([]);
    groups[k]!.push(i);
  }
  return groups.filter((g) => g.length > 0);
}

/**
 * Splits `n` rows into train and test. With `stratify`, each class keeps its
 * share in both parts.
 *
 * @throws DataError for a bad `testSize`, a class with fewer than 2 rows, or
 * parts too small to hold every class (scikit-learn's rules).
 */
export function trainTestSplit(n: number, options: TrainTestSplitOptions): Split {
  const { nTrain, nTest } = computeSplitSizes(n, options.testSize);
  const random = createRandom(options.seed);
  if (options.stratify === undefined) {
    const order = shuffleInPlace(Array.from({ length: n }, (_, i) => i), random);
    return { test: sortedCopy(order.slice(0, nTest)), train: sortedCopy(order.slice(nTest)) };
  }
  if (options.stratify.length !== n) {
    throw new DataError(`stratify has ${options.stratify.length} labels for ${n} rows`);
  }
  const groups = groupByClass(options.stratify);
  const counts = groups.map((g) => g.length);
  const smallest = counts.indexOf(Math.min(...counts));
  if (counts[smallest]! < 2) {
    const k = options.stratify[groups[smallest]![0]!]!;
    const label = options.classNames?.[k];
    const which = label === undefined ? `class code ${k}` : `class ${JSON.stringify(label)}`;
    throw new DataError(
      `cannot stratify: the least populated class in y (${which}, at row ${groups[smallest]![0]! + 1}) ` +
        `has only 1 member, which is too few. The minimum number of groups for any class cannot be less than 2.`,
    );
  }
  if (nTrain < groups.length) {
    throw new DataError(`the train size = ${nTrain} should be greater or equal to the number of classes = ${groups.length}`);
  }
  if (nTest < groups.length) {
    throw new DataError(`the test size = ${nTest} should be greater or equal to the number of classes = ${groups.length}`);
  }
  const trainCounts = allocateByClass(counts, nTrain, random);
  const testCounts = allocateByClass(
    counts.map((c, k) => c - trainCounts[k]!),
    nTest,
    random,
  );
  const train: number[] = [];
  const test: number[] = [];
  groups.forEach((group, k) => {
    const order = shuffleInPlace([...group], random);
    for (let t = 0; t < trainCounts[k]!; t++) train.push(order[t]!);
    for (let t = 0; t < testCounts[k]!; t++) test.push(order[trainCounts[k]! + t]!);
  });
  return { train: sortedCopy(train), test: sortedCopy(test) };
}

function checkFolds(n: number, k: number): void {
  if (!Number.isInteger(k) || k < 2) throw new DataError(`the number of folds must be a whole number ≥ 2, got ${k}`);
  if (k > n) throw new DataError(`cannot make ${k} folds from ${n} rows`);
}

function foldsFromAssignment(fold: Int32Array, k: number): Split[] {
  const splits: Split[] = [];
  for (let f = 0; f < k; f++) {
    const train: number[] = [];
    const test: number[] = [];
    for (let i = 0; i < fold.length; i++) (fold[i] === f ? test : train).push(i);
    splits.push({ train: Int32Array.from(train), test: Int32Array.from(test) });
  }
  return splits;
}

/**
 * Shuffled k-fold: rows are shuffled, then cut into `k` folds whose sizes
 * differ by at most one (the first `n mod k` folds get the extra row).
 */
export function kFold(n: number, k: number, seed: number): Split[] {
  checkFolds(n, k);
  const order = shuffleInPlace(Array.from({ length: n }, (_, i) => i), createRandom(seed));
  const fold = new Int32Array(n);
  let at = 0;
  for (let f = 0; f < k; f++) {
    const size = Math.floor(n / k) + (f < n % k ? 1 : 0);
    for (let t = 0; t < size; t++) fold[order[at++]!] = f;
  }
  return foldsFromAssignment(fold, k);
}

/**
 * Stratified k-fold: each class is spread evenly over the folds (counts
 * differ by at most one), with scikit-learn's allocation — deal the rows,
 * sorted by class, round-robin over the folds — and rows picked at random
 * within each class.
 *
 * @throws DataError when `k` exceeds the size of every class or the row count.
 */
export function stratifiedKFold(y: ArrayLike<number>, k: number, seed: number): Split[] {
  checkFolds(y.length, k);
  const groups = groupByClass(y);
  const largest = Math.max(...groups.map((g) => g.length));
  if (largest < k) {
    throw new DataError(`cannot make ${k} stratified folds: no class has ${k} members (the largest has ${largest})`);
  }
  const random = createRandom(seed);
  // Dealing the class-sorted rows round-robin gives each fold its per-class
  // count. Classes are dealt in order of first appearance, as scikit-learn does.
  const allocation = groups.map(() => new Int32Array(k));
  const dealOrder = groups.map((_, c) => c).sort((a, b) => groups[a]![0]! - groups[b]![0]!);
  let position = 0;
  for (const c of dealOrder) {
    const size = groups[c]!.length;
    for (let t = 0; t < size; t++) allocation[c]![(position + t) % k]! += 1;
    position += size;
  }
  const fold = new Int32Array(y.length);
  groups.forEach((group, c) => {
    const labels: number[] = [];
    for (let f = 0; f < k; f++) for (let t = 0; t < allocation[c]![f]!; t++) labels.push(f);
    shuffleInPlace(labels, random);
    group.forEach((row, t) => (fold[row] = labels[t]!));
  });
  return foldsFromAssignment(fold, k);
}
