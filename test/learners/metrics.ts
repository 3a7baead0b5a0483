/** Small metric helpers for learner tests (the definitions scikit-learn uses). */

/** Share of rows whose label equals the target. */
export function accuracy(labels: Int32Array, y: Float64Array): number {
  let hit = 0;
  for (let i = 0; i < y.length; i++) if (labels[i] === y[i]) hit++;
  return hit / y.length;
}

/** ROC AUC of one score column against a binary target (Mann–Whitney, ties count half). */
export function rocAuc(score: Float64Array, positive: Uint8Array): number {
  const order = Array.from(score.keys()).sort((a, b) => score[a]! - score[b]!);
  let rankSum = 0;
  let nPos = 0;
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && score[order[j + 1]!] === score[order[i]!]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++)
      if (positive[order[k]!] === 1) {
        rankSum += rank;
        nPos++;
      }
    i = j + 1;
  }
  const nNeg = order.length - nPos;
  return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/** Macro one-vs-rest ROC AUC over row-major class probabilities (binary: the positive column). */
export function rocAucFromScores(scores: Float64Array, nClasses: number, y: Float64Array): number {
  const n = y.length;
  const classes = nClasses === 2 ? [1] : Array.from({ length: nClasses }, (_, k) => k);
  let total = 0;
  for (const k of classes) {
    const s = Float64Array.from({ length: n }, (_, i) => scores[i * nClasses + k]!);
    const pos = Uint8Array.from({ length: n }, (_, i) => (y[i] === k ? 1 : 0));
    total += rocAuc(s, pos);
  }
  return total / classes.length;
}

/** Coefficient of determination. */
export function r2(pred: Float64Array, y: Float64Array): number {
  let mean = 0;
  for (let i = 0; i < y.length; i++) mean += y[i]!;
  mean /= y.length;
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < y.length; i++) {
    ssRes += (y[i]! - pred[i]!) ** 2;
    ssTot += (y[i]! - mean) ** 2;
  }
  return 1 - ssRes / ssTot;
}
