/**
 * ROC AUC by ranks (Mann–Whitney U with midranks for ties) and the one-sided
 * test of AUC > 0.5 by the normal approximation of U, tie-corrected.
 */
import { normalSf } from "./special-functions.js";

/** AUC of `scores` for separating label 1 from label 0, and its one-sided p-value against 0.5. */
export function computeAuc(scores: Float64Array, labels: Uint8Array): { auc: number; pValue: number } {
  const n = scores.length;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => scores[a]! - scores[b]!);
  let n1 = 0;
  for (let i = 0; i < n; i++) n1 += labels[i]!;
  const n0 = n - n1;
  if (n1 === 0 || n0 === 0) return { auc: 0.5, pValue: 1 };
  let rankSumPositives = 0;
  let tieTerm = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const midrank = (i + j) / 2 + 1;
    const t = j - i + 1;
    tieTerm += t * t * t - t;
    for (let k = i; k <= j; k++) if (labels[order[k]!] === 1) rankSumPositives += midrank;
    i = j + 1;
  }
  const u = rankSumPositives - (n1 * (n1 + 1)) / 2;
  const auc = u / (n1 * n0);
  const variance = ((n1 * n0) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (!(variance > 0)) return { auc, pValue: 1 };
  const z = (u - (n1 * n0) / 2) / Math.sqrt(variance);
  return { auc, pValue: normalSf(z) };
}
