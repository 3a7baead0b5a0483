/**
 * How many trials TPE needs to reach random search's best-of-60 score when
 * tuning a GBDT by k-fold CV (ROC AUC) on a small make_classification-like
 * set. Optuna's TPE took a median of 20 trials on this kind of task; ours
 * should too. Per seed: one random study of 60 trials and one TPE study of up
 * to 60 trials, each with its own seed.
 *
 *   npm run bench:tune -- [--seeds 5] [--trials 60] [--rows 2000] [--folds 3]
 */
import { parseArgs } from "node:util";
import { createRandom, type Random } from "../src/common/random.js";
import { stratifiedKFold, type Split } from "../src/data/split.js";
import { computeBinaryRocAuc } from "../src/common/statistics/roc-auc.js";
import { fitGradientBoosting } from "../src/learners/gradient-boosting.js";
import type { FeatureMatrix } from "../src/learners/model.js";
import { predictModel } from "../src/learners/predict.js";
import type { SamplerSpec } from "../src/tuning/samplers.js";
import { buildSearchSpace, type Params } from "../src/tuning/space.js";
import { runStudy } from "../src/tuning/study.js";

const { values } = parseArgs({
  options: {
    seeds: { type: "string", default: "5" },
    trials: { type: "string", default: "60" },
    rows: { type: "string", default: "2000" },
    folds: { type: "string", default: "3" },
  },
});
const nSeeds = Number(values.seeds);
const nTrials = Number(values.trials);
const nRows = Number(values.rows);
const nFolds = Number(values.folds);

/**
 * A two-class set in the manner of scikit-learn's make_classification:
 * 4 informative features around ±1 hypercube vertices (2 clusters per class,
 * mixed by a random linear map), 2 redundant linear combinations, 4 noise
 * features, 3% of labels flipped. Values rounded to float32 like the
 * feature transform does.
 */
function makeClassification(n: number, random: Random): { X: FeatureMatrix; y: Float64Array } {
  const nInformative = 4;
  const nRedundant = 2;
  const nNoise = 4;
  const nFeatures = nInformative + nRedundant + nNoise;
  const columns = Array.from({ length: nFeatures }, () => new Float64Array(n));
  const y = new Float64Array(n);
  const centroids = Array.from({ length: 4 }, () =>
    Array.from({ length: nInformative }, () => (random.next() < 0.5 ? -1 : 1)),
  );
  const mixes = Array.from({ length: 4 }, () =>
    Array.from({ length: nInformative * nInformative }, () => 2 * random.next() - 1),
  );
  const redundant = Array.from({ length: nRedundant * nInformative }, () => 2 * random.next() - 1);
  const z = new Float64Array(nInformative);
  for (let i = 0; i < n; i++) {
    const cluster = i % 4;
    y[i] = cluster % 2;
    for (let a = 0; a < nInformative; a++) z[a] = random.normal();
    for (let a = 0; a < nInformative; a++) {
      let v = centroids[cluster]![a]!;
      for (let b = 0; b < nInformative; b++) v += mixes[cluster]![a * nInformative + b]! * z[b]!;
      columns[a]![i] = v;
    }
    for (let r = 0; r < nRedundant; r++) {
      let v = 0;
      for (let a = 0; a < nInformative; a++) v += redundant[r * nInformative + a]! * columns[a]![i]!;
      columns[nInformative + r]![i] = v;
    }
    for (let k = 0; k < nNoise; k++) columns[nInformative + nRedundant + k]![i] = random.normal();
    if (random.next() < 0.03) y[i] = random.int(2);
  }
  for (const column of columns) for (let i = 0; i < n; i++) column[i] = Math.fround(column[i]!);
  return { X: { nRows: n, columns, names: columns.map((_, j) => `f${j}`) }, y };
}

function takeRows(X: FeatureMatrix, rows: Int32Array): FeatureMatrix {
  return {
    nRows: rows.length,
    columns: X.columns.map((column) => Float64Array.from(rows, (r) => column[r]!)),
    names: X.names,
  };
}

const space = buildSearchSpace({
  learning_rate: { type: "float", low: 0.01, high: 0.5, log: true },
  max_leaf_nodes: { type: "int", low: 4, high: 64, log: true },
  min_samples_leaf: { type: "int", low: 2, high: 100, log: true },
  l2_regularization: { type: "float", low: 1e-3, high: 10, log: true },
  max_depth: [3, 5, 8, null],
});

const data = makeClassification(nRows, createRandom(2026));
const folds: { train: FeatureMatrix; yTrain: Float64Array; test: FeatureMatrix; positive: Uint8Array }[] =
  stratifiedKFold(data.y, nFolds, 7).map((split: Split) => ({
    train: takeRows(data.X, split.train),
    yTrain: Float64Array.from(split.train, (r) => data.y[r]!),
    test: takeRows(data.X, split.test),
    positive: Uint8Array.from(split.test, (r) => data.y[r]!),
  }));

let fits = 0;
async function crossValidate(params: Params): Promise<number> {
  let total = 0;
  for (const fold of folds) {
    const model = await fitGradientBoosting(
      fold.train,
      fold.yTrain,
      { ...params, n_estimators: 40 },
      { task: "classification", nClasses: 2, seed: 0 },
    );
    fits++;
    const { scores, nOutputs } = predictModel(model, fold.test);
    const probability = Float64Array.from(
      { length: fold.test.nRows },
      (_, i) => scores[i * nOutputs + nOutputs - 1]!,
    );
    total += computeBinaryRocAuc(fold.positive, probability);
  }
  return total / folds.length;
}

async function study(sampler: SamplerSpec, seed: number): Promise<number[]> {
  const result = await runStudy({
    space,
    sampler,
    nTrials,
    direction: "maximize",
    seed,
    objective: crossValidate,
  });
  return result.trials.map((t) => t.score);
}

const started = performance.now();
const rows: { seed: number; randomBest: number; reached: number | undefined; tpeBest: number }[] = [];
for (let seed = 1; seed <= nSeeds; seed++) {
  const randomScores = await study({ type: "random" }, seed);
  const randomBest = Math.max(...randomScores);
  const tpeScores = await study({ type: "tpe" }, 1000 + seed);
  const reachedAt = tpeScores.findIndex((s) => s >= randomBest);
  rows.push({
    seed,
    randomBest,
    reached: reachedAt < 0 ? undefined : reachedAt + 1,
    tpeBest: Math.max(...tpeScores),
  });
  process.stderr.write(`seed ${seed} done\n`);
}
const elapsed = (performance.now() - started) / 1000;

const reachedCounts = rows.map((r) => r.reached ?? Infinity).sort((a, b) => a - b);
const median = reachedCounts[Math.floor((reachedCounts.length - 1) / 2)]!;
console.log(
  `TPE vs random search, GBDT (40 rounds) on ${nRows} × 10, ${nFolds}-fold CV ROC AUC, ${nTrials} trials each`,
);
console.log("");
console.log(`| seed | random best-of-${nTrials} | TPE trials to reach it | TPE best-of-${nTrials} |`);
console.log("| ---: | ---: | ---: | ---: |");
for (const r of rows) {
  console.log(
    `| ${r.seed} | ${r.randomBest.toFixed(5)} | ${r.reached === undefined ? `not in ${nTrials}` : r.reached} | ${r.tpeBest.toFixed(5)} |`,
  );
}
console.log("");
console.log(
  `median trials to reach random's best: ${Number.isFinite(median) ? median : `> ${nTrials}`} (target ≤ 20, Optuna's figure) — ${median <= 20 ? "met" : "NOT met"}`,
);
console.log(`${fits} GBDT fits in ${elapsed.toFixed(1)} s`);
