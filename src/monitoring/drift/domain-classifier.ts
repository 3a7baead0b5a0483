/**
 * Multivariate drift by a domain classifier: a small gradient-boosted model
 * learns to tell reference rows from current rows; out-of-fold predictions
 * give a cross-validated AUC, and drift is an AUC significantly above 0.5
 * (one-sided Mann–Whitney test). It sees changes in the joint distribution —
 * a correlation that flips — that every per-column test misses. Seeded: the
 * same frames and seed give the same AUC.
 */
import { createRandom, shuffleInPlace } from "../../common/random.js";
import type { Frame } from "../../data/frame.js";
import { stratifiedKFold } from "../../data/split.js";
import { fitGradientBoosting } from "../../learners/gradient-boosting.js";
import type { FeatureMatrix } from "../../learners/model.js";
import { predictModel } from "../../learners/predict.js";
import { computeRocAucTest } from "../../common/statistics/roc-auc.js";

/** Options of {@link computeDomainClassifier}. */
export interface DomainClassifierOptions {
  readonly seed: number;
  /** Cross-validation folds (default 5). */
  readonly folds?: number;
  /** Rows drawn from each window at most (default 5,000), to bound the cost. */
  readonly maxRowsPerWindow?: number;
  /** Boosting iterations (default 50). */
  readonly nEstimators?: number;
}

/** Result of the domain classifier. */
export interface DomainClassifierResult {
  /** Cross-validated AUC of telling current rows from reference rows. */
  readonly auc: number;
  /** One-sided p-value of AUC > 0.5. */
  readonly pValue: number;
  readonly folds: number;
  readonly nReference: number;
  readonly nCurrent: number;
}

function sampleRows(n: number, max: number, seed: number): Int32Array {
  const all = new Int32Array(n);
  for (let i = 0; i < n; i++) all[i] = i;
  if (n <= max) return all;
  shuffleInPlace(all, createRandom(seed));
  return all.slice(0, max).sort();
}

/**
 * Stacks the sampled rows of both frames into one feature matrix: numeric
 * columns as they are (missing → the pooled median), categorical columns as
 * integer codes over the union of both dictionaries (missing → −1).
 */
function buildMatrix(
  reference: Frame,
  current: Frame,
  refRows: Int32Array,
  curRows: Int32Array,
): FeatureMatrix {
  const n = refRows.length + curRows.length;
  const columns: Float64Array[] = [];
  const names: string[] = [];
  for (const refColumn of reference.columns) {
    const curColumn = current.columns.find((c) => c.name === refColumn.name);
    if (!curColumn) continue;
    const out = new Float64Array(n);
    if (refColumn.kind === "numeric" && curColumn.kind === "numeric") {
      for (let i = 0; i < refRows.length; i++) out[i] = refColumn.values[refRows[i]!]!;
      for (let i = 0; i < curRows.length; i++) out[refRows.length + i] = curColumn.values[curRows[i]!]!;
      const finite = out.filter((v) => v === v).sort();
      const median = finite.length > 0 ? finite[finite.length >> 1]! : 0;
      for (let i = 0; i < n; i++) if (out[i] !== out[i]) out[i] = median;
    } else {
      const codes = new Map<string, number>();
      const code = (text: string | undefined): number => {
        if (text === undefined) return -1;
        let c = codes.get(text);
        if (c === undefined) {
          c = codes.size;
          codes.set(text, c);
        }
        return c;
      };
      const textAt = (column: Frame["columns"][number], row: number): string | undefined => {
        if (column.kind === "numeric") {
          const v = column.values[row]!;
          return v === v ? String(v) : undefined;
        }
        const c = column.codes[row]!;
        return c < 0 ? undefined : column.dictionary[c];
      };
      for (let i = 0; i < refRows.length; i++) out[i] = code(textAt(refColumn, refRows[i]!));
      for (let i = 0; i < curRows.length; i++) out[refRows.length + i] = code(textAt(curColumn, curRows[i]!));
    }
    columns.push(out);
    names.push(refColumn.name);
  }
  return { nRows: n, columns, names };
}

function takeMatrixRows(x: FeatureMatrix, rows: Int32Array): FeatureMatrix {
  return {
    nRows: rows.length,
    names: x.names,
    columns: x.columns.map((c) => {
      const out = new Float64Array(rows.length);
      for (let i = 0; i < rows.length; i++) out[i] = c[rows[i]!]!;
      return out;
    }),
  };
}

/** Trains the domain classifier with k-fold cross-validation and tests its AUC. */
export async function computeDomainClassifier(
  reference: Frame,
  current: Frame,
  options: DomainClassifierOptions,
): Promise<DomainClassifierResult> {
  const maxRows = options.maxRowsPerWindow ?? 5000;
  const refRows = sampleRows(reference.nRows, maxRows, options.seed);
  const curRows = sampleRows(current.nRows, maxRows, options.seed + 1);
  const nRef = refRows.length;
  const nCur = curRows.length;
  const folds = Math.min(options.folds ?? 5, nRef, nCur);
  if (folds < 2)
    throw new RangeError(`the domain classifier needs at least 2 rows per window, got ${nRef} and ${nCur}`);
  const x = buildMatrix(reference, current, refRows, curRows);
  const labels = new Uint8Array(nRef + nCur);
  labels.fill(1, nRef);
  const y = Float64Array.from(labels);
  const outOfFold = new Float64Array(nRef + nCur);
  const splits = stratifiedKFold(y, folds, options.seed);
  for (const [f, split] of splits.entries()) {
    const model = await fitGradientBoosting(
      takeMatrixRows(x, split.train),
      Float64Array.from(split.train, (r) => y[r]!),
      {
        n_estimators: options.nEstimators ?? 50,
        learning_rate: 0.1,
        max_leaf_nodes: 8,
        min_samples_leaf: Math.max(1, Math.min(20, Math.floor(split.train.length / 20))),
        max_bins: 64,
      },
      { task: "classification", nClasses: 2, seed: options.seed + f },
    );
    const prediction = predictModel(model, takeMatrixRows(x, split.test));
    for (let i = 0; i < split.test.length; i++)
      outOfFold[split.test[i]!] = prediction.scores[i * prediction.nOutputs + 1]!;
  }
  // Both windows hold at least two rows (folds ≥ 2 above), so both classes are present.
  const { auc, pValue } = computeRocAucTest(labels, outOfFold);
  return { auc, pValue, folds, nReference: nRef, nCurrent: nCur };
}
