/**
 * Training benchmark: our learners against scikit-learn on the same
 * splits. Prints, per learner and data set, our fit time ÷ scikit-learn's
 * single-threaded fit time (OMP_NUM_THREADS=1, n_jobs=1) and the metric
 * difference, as a markdown table.
 *
 *   npm run bench:train                 # breast cancer, make_classification 50k × 20, friedman1 20k
 *   npm run bench:train -- --memory     # also: 100-tree forest on 1,000,000 × 20, peak RSS
 *   npm run bench:train -- --only-memory
 *
 * Needs /usr/bin/python3 with scikit-learn (Debian's python3-sklearn); the
 * data sets come from scikit-learn and reach us through CSV files in a
 * temporary folder.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { createRandom } from "../src/common/random.js";
import { fitDecisionTree, fitRandomForest } from "../src/learners/forest.js";
import { fitGradientBoosting } from "../src/learners/gradient-boosting.js";
import { fitLinearRegression } from "../src/learners/linear-regression.js";
import { fitLogisticRegression } from "../src/learners/logistic-regression.js";
import type { FeatureMatrix, FittedModel, Task } from "../src/learners/model.js";
import { predictModel } from "../src/learners/predict.js";

const PYTHON = "/usr/bin/python3";

/** Writes the splits and times scikit-learn; prints one JSON document. */
const SKLEARN_SCRIPT = String.raw`
import json, sys, time
import numpy as np
from sklearn.datasets import load_breast_cancer, make_classification, make_friedman1
from sklearn.model_selection import train_test_split
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor, HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from sklearn.metrics import accuracy_score, roc_auc_score, r2_score
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

out_dir = sys.argv[1]
bc = load_breast_cancer()
sets = {
    "breast_cancer": (bc.data, bc.target, "classification"),
    "make_classification_50k": make_classification(n_samples=50000, n_features=20, n_informative=10, random_state=0) + ("classification",),
    "friedman1_20k": make_friedman1(n_samples=20000, noise=1.0, random_state=0) + ("regression",),
}
result = {}
for name, (X, y, task) in sets.items():
    X = X.astype(np.float32)
    strat = y if task == "classification" else None
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=0, stratify=strat)
    for part, (Xp, yp) in {"train": (Xtr, ytr), "test": (Xte, yte)}.items():
        np.savetxt(f"{out_dir}/{name}-{part}.csv", np.column_stack([Xp.astype(np.float64), yp]), delimiter=",", fmt="%.9g")
    if task == "classification":
        learners = {
            "decision_tree": DecisionTreeClassifier(random_state=0),
            "random_forest": RandomForestClassifier(n_estimators=100, n_jobs=1, random_state=0),
            "gradient_boosting": HistGradientBoostingClassifier(max_iter=100, early_stopping=False, random_state=0),
            "logistic_regression": make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=1000)),
        }
    else:
        learners = {
            "decision_tree": DecisionTreeRegressor(random_state=0),
            "random_forest": RandomForestRegressor(n_estimators=100, n_jobs=1, random_state=0),
            "gradient_boosting": HistGradientBoostingRegressor(max_iter=100, early_stopping=False, random_state=0),
            "linear_regression": make_pipeline(StandardScaler(), Ridge(alpha=1.0)),
        }
    result[name] = {"task": task, "learners": {}}
    for lname, model in learners.items():
        t0 = time.perf_counter()
        model.fit(Xtr, ytr)
        fit_s = time.perf_counter() - t0
        if task == "classification":
            p = model.predict_proba(Xte)[:, 1]
            metrics = {"accuracy": accuracy_score(yte, model.predict(Xte)), "roc_auc": roc_auc_score(yte, p)}
        else:
            metrics = {"r2": r2_score(yte, model.predict(Xte))}
        result[name]["learners"][lname] = {"fit_s": fit_s, **metrics}
        print(f"  scikit-learn {name} {lname}: {fit_s:.2f} s", file=sys.stderr, flush=True)
print(json.dumps(result))
`;

interface SklearnResult {
  task: Task;
  learners: Record<string, { fit_s: number; accuracy?: number; roc_auc?: number; r2?: number }>;
}

function readCsv(path: string): { X: FeatureMatrix; y: Float64Array } {
  const lines = readFileSync(path, "utf8").trim().split("\n");
  const nCols = lines[0]!.split(",").length;
  const columns = Array.from({ length: nCols - 1 }, () => new Float64Array(lines.length));
  const y = new Float64Array(lines.length);
  lines.forEach((line, i) => {
    const cells = line.split(",");
    for (let j = 0; j < nCols - 1; j++) columns[j]![i] = Math.fround(Number(cells[j]));
    y[i] = Number(cells[nCols - 1]);
  });
  return { X: { nRows: lines.length, columns, names: columns.map((_, j) => `x${j}`) }, y };
}

function accuracy(labels: Int32Array, y: Float64Array): number {
  let hit = 0;
  for (let i = 0; i < y.length; i++) if (labels[i] === y[i]) hit++;
  return hit / y.length;
}

function rocAuc(scores: Float64Array, y: Float64Array): number {
  const n = y.length;
  const p = Float64Array.from({ length: n }, (_, i) => scores[2 * i + 1]!);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => p[a]! - p[b]!);
  let rankSum = 0;
  let nPos = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && p[order[j + 1]!] === p[order[i]!]) j++;
    for (let k = i; k <= j; k++) {
      if (y[order[k]!] === 1) {
        rankSum += (i + j) / 2 + 1;
        nPos++;
      }
    }
    i = j + 1;
  }
  return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * (n - nPos));
}

function r2(pred: Float64Array, y: Float64Array): number {
  const mean = y.reduce((a, b) => a + b, 0) / y.length;
  let res = 0;
  let tot = 0;
  for (let i = 0; i < y.length; i++) {
    res += (y[i]! - pred[i]!) ** 2;
    tot += (y[i]! - mean) ** 2;
  }
  return 1 - res / tot;
}

/** Standardises columns with the training rows' mean and std (ddof 0), as scikit-learn's StandardScaler does. */
function standardise(X: FeatureMatrix): (M: FeatureMatrix) => FeatureMatrix {
  const stats = X.columns.map((column) => {
    let mean = 0;
    for (const v of column) mean += v / column.length;
    let variance = 0;
    for (const v of column) variance += (v - mean) ** 2 / column.length;
    return { mean, std: Math.sqrt(variance) || 1 };
  });
  return (M) => ({
    ...M,
    columns: M.columns.map((column, j) => column.map((v) => (v - stats[j]!.mean) / stats[j]!.std)),
  });
}

type Fit = (X: FeatureMatrix, y: Float64Array, task: Task, threads: number) => Promise<FittedModel>;

/** Our learners, with the tasks each runs on here, and the same settings as the scikit-learn side. */
const FITS: Record<string, { tasks: readonly Task[]; fit: Fit; scaled?: boolean }> = {
  decision_tree: {
    tasks: ["classification", "regression"],
    fit: (X, y, task, threads) =>
      fitDecisionTree(X, y, {}, { task, nClasses: task === "classification" ? 2 : 1, seed: 0, threads }),
  },
  random_forest: {
    tasks: ["classification", "regression"],
    fit: (X, y, task, threads) =>
      fitRandomForest(
        X,
        y,
        { n_estimators: 100 },
        { task, nClasses: task === "classification" ? 2 : 1, seed: 0, threads },
      ),
  },
  gradient_boosting: {
    tasks: ["classification", "regression"],
    fit: (X, y, task, threads) =>
      fitGradientBoosting(
        X,
        y,
        { n_estimators: 100, early_stopping: false },
        { task, nClasses: task === "classification" ? 2 : 1, seed: 0, threads },
      ),
  },
  logistic_regression: {
    tasks: ["classification"],
    scaled: true,
    fit: (X, y, task) =>
      fitLogisticRegression(X, y, { C: 1, max_iter: 1000 }, { task, nClasses: 2, seed: 0 }),
  },
  linear_regression: {
    tasks: ["regression"],
    scaled: true,
    fit: (X, y) => Promise.resolve(fitLinearRegression(X, y, { alpha: 1 })),
  },
};

async function runComparison(threads: number): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), "bench-train-"));
  try {
    console.error("scikit-learn (single-threaded)…");
    const py = spawnSync(PYTHON, ["-c", SKLEARN_SCRIPT, dir], {
      env: { ...process.env, OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1", MKL_NUM_THREADS: "1" },
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
      maxBuffer: 1 << 26,
    });
    if (py.status !== 0)
      throw new Error(`${PYTHON} with scikit-learn failed (status ${py.status}); install python3-sklearn`);
    const sklearn = JSON.parse(py.stdout) as Record<string, SklearnResult>;
    const rows = [
      `| data set | learner | our fit (s) | scikit-learn fit (s) | ratio | metric | ours | scikit-learn | difference |`,
      `| --- | --- | ---: | ---: | ---: | --- | ---: | ---: | ---: |`,
    ];
    // One untimed fit of each learner first, so the table compares warm code
    // (scikit-learn's is compiled ahead of time).
    const warm = readCsv(join(dir, "breast_cancer-train.csv"));
    for (const { tasks, fit } of Object.values(FITS)) {
      if (tasks.includes("classification")) await fit(warm.X, warm.y, "classification", threads);
    }
    for (const [name, ref] of Object.entries(sklearn)) {
      const train = readCsv(join(dir, `${name}-train.csv`));
      const test = readCsv(join(dir, `${name}-test.csv`));
      for (const [learner, { tasks, fit, scaled }] of Object.entries(FITS)) {
        if (!tasks.includes(ref.task)) continue;
        // Linear learners get standardised inputs, like the StandardScaler in front of scikit-learn's.
        const scale = scaled ? standardise(train.X) : (M: FeatureMatrix) => M;
        const start = performance.now();
        const model = await fit(scale(train.X), train.y, ref.task, threads);
        const seconds = (performance.now() - start) / 1000;
        const prediction = predictModel(model, scale(test.X));
        const theirs = ref.learners[learner]!;
        const metrics: [string, number, number][] =
          ref.task === "classification"
            ? [
                ["accuracy", accuracy(prediction.labels!, test.y), theirs.accuracy!],
                ["roc_auc", rocAuc(prediction.scores, test.y), theirs.roc_auc!],
              ]
            : [["r2", r2(prediction.scores, test.y), theirs.r2!]];
        console.error(`  ours ${name} ${learner}: ${seconds.toFixed(2)} s`);
        for (const [metric, ours, skl] of metrics) {
          rows.push(
            `| ${name} | ${learner} | ${seconds.toFixed(2)} | ${theirs.fit_s.toFixed(2)} | ${(seconds / theirs.fit_s).toFixed(2)}× | ${metric} | ${ours.toFixed(4)} | ${skl.toFixed(4)} | ${(ours - skl).toFixed(4)} |`,
          );
        }
      }
    }
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A seeded 1,000,000 × 20 classification set: 10 informative features, label noise. */
function buildLargeSet(nRows: number, nFeatures: number): { X: FeatureMatrix; y: Float64Array } {
  const random = createRandom(2024);
  const columns = Array.from({ length: nFeatures }, () => new Float64Array(nRows));
  const y = new Float64Array(nRows);
  const weights = Float64Array.from({ length: nFeatures }, (_, j) => (j < 10 ? random.normal() : 0));
  for (let i = 0; i < nRows; i++) {
    let score = 0;
    for (let j = 0; j < nFeatures; j++) {
      const v = Math.fround(random.normal());
      columns[j]![i] = v;
      score += weights[j]! * v + (j < 5 ? 0.5 * v * v : 0);
    }
    y[i] = score + random.normal() > 2.5 ? 1 : 0;
  }
  return { X: { nRows, columns, names: columns.map((_, j) => `x${j}`) }, y };
}

async function runMemory(threads: number): Promise<string[]> {
  const { X, y } = buildLargeSet(1_000_000, 20);
  const start = performance.now();
  const model = await fitRandomForest(
    X,
    y,
    { n_estimators: 100 },
    { task: "classification", nClasses: 2, seed: 0, threads },
  );
  const seconds = (performance.now() - start) / 1000;
  const nodes = model.trees.reduce((s, t) => s + t.feature.length, 0);
  const peakMb = process.resourceUsage().maxRSS / 1024;
  return [
    `| memory check | rows × features | trees | nodes | fit (s) | peak RSS (MB) | target |`,
    `| --- | ---: | ---: | ---: | ---: | ---: | --- |`,
    `| random_forest | 1,000,000 × 20 | ${model.trees.length} | ${nodes} | ${seconds.toFixed(1)} | ${peakMb.toFixed(0)} | < 2048 MB |`,
  ];
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const threadsArg = args.indexOf("--threads");
  const threads = threadsArg >= 0 ? Number(args[threadsArg + 1]) : availableParallelism();
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(", ");
  const out = [
    `Threads: ${threads} (ours); scikit-learn single-threaded. Load average before: ${load} on ${availableParallelism()} cores.`,
    "",
  ];
  if (!args.includes("--only-memory")) out.push(...(await runComparison(threads)), "");
  if (args.includes("--memory") || args.includes("--only-memory"))
    out.push(...(await runMemory(threads)), "");
  out.push(
    `Load average after: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(", ")}`,
  );
  console.log(out.join("\n"));
}

await main();
