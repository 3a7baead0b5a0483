/**
 * The effective number of independent tests among correlated columns (Li &
 * Ji 2005, Heredity 95:221): from the eigenvalues λ of the columns'
 * correlation matrix, M_eff = Σ [λ ≥ 1] + (λ − ⌊λ⌋). Bonferroni over M_eff
 * instead of the number of columns is still Bonferroni in form, but stops
 * counting near-duplicate columns (a radius, its perimeter and its area) as
 * separate chances of a false alarm. The correlation is Spearman's, the
 * rank correlation that matches rank tests such as KS.
 */

/** Most reference rows the correlation is estimated on (evenly spaced, so no randomness is needed). */
export const CORRELATION_MAX_ROWS = 5_000;

/** Average ranks (1-based, ties share their mean rank) of the non-NaN values; NaN gets the mean rank. */
function averageRanks(values: Float64Array): Float64Array {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).filter((i) => values[i] === values[i]);
  order.sort((a, b) => values[a]! - values[b]!);
  const ranks = new Float64Array(n).fill((order.length + 1) / 2);
  let i = 0;
  while (i < order.length) {
    let j = i;
    while (j + 1 < order.length && values[order[j + 1]!] === values[order[i]!]) j++;
    const rank = (i + j + 2) / 2;
    for (let k = i; k <= j; k++) ranks[order[k]!] = rank;
    i = j + 1;
  }
  return ranks;
}

/**
 * Spearman rank correlation matrix (row-major, k × k) of the given columns,
 * on at most {@link CORRELATION_MAX_ROWS} evenly spaced rows. A constant
 * column is uncorrelated with every other (its row and column are those of
 * the identity).
 */
export function computeSpearmanMatrix(
  columns: readonly Float64Array[],
  maxRows = CORRELATION_MAX_ROWS,
): Float64Array {
  const k = columns.length;
  const n = k > 0 ? columns[0]!.length : 0;
  const step = n > maxRows ? n / maxRows : 1;
  const m = Math.min(n, maxRows);
  const centred = columns.map((col) => {
    const sample = new Float64Array(m);
    for (let i = 0; i < m; i++) sample[i] = col[Math.floor(i * step)]!;
    const ranks = averageRanks(sample);
    let mean = 0;
    for (let i = 0; i < m; i++) mean += ranks[i]!;
    mean /= m;
    let ss = 0;
    for (let i = 0; i < m; i++) {
      ranks[i] = ranks[i]! - mean;
      ss += ranks[i]! ** 2;
    }
    return { ranks, norm: Math.sqrt(ss) };
  });
  const r = new Float64Array(k * k);
  for (let a = 0; a < k; a++) {
    r[a * k + a] = 1;
    for (let b = a + 1; b < k; b++) {
      const x = centred[a]!;
      const y = centred[b]!;
      let dot = 0;
      for (let i = 0; i < m; i++) dot += x.ranks[i]! * y.ranks[i]!;
      const c = x.norm > 0 && y.norm > 0 ? dot / (x.norm * y.norm) : 0;
      r[a * k + b] = c;
      r[b * k + a] = c;
    }
  }
  return r;
}

/**
 * Eigenvalues of a symmetric k × k matrix (row-major), ascending, by the
 * cyclic Jacobi method: small matrices (one row per column of a data set),
 * accurate to rounding.
 */
export function computeSymmetricEigenvalues(matrix: Float64Array, k: number): Float64Array {
  if (matrix.length !== k * k)
    throw new RangeError(`expected a ${k} × ${k} matrix, got ${matrix.length} entries`);
  const a = Float64Array.from(matrix);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let diag = 0;
    for (let p = 0; p < k; p++) {
      diag += a[p * k + p]! ** 2;
      for (let q = p + 1; q < k; q++) off += a[p * k + q]! ** 2;
    }
    if (off <= 1e-30 * Math.max(diag, 1e-300)) break;
    for (let p = 0; p < k; p++) {
      for (let q = p + 1; q < k; q++) {
        const apq = a[p * k + q]!;
        if (apq === 0) continue;
        const app = a[p * k + p]!;
        const aqq = a[q * k + q]!;
        // Rotation angle that zeroes a[p][q] (Golub & Van Loan, symmetric Schur).
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let r = 0; r < k; r++) {
          const arp = a[r * k + p]!;
          const arq = a[r * k + q]!;
          a[r * k + p] = c * arp - s * arq;
          a[r * k + q] = s * arp + c * arq;
        }
        for (let r = 0; r < k; r++) {
          const apr = a[p * k + r]!;
          const aqr = a[q * k + r]!;
          a[p * k + r] = c * apr - s * aqr;
          a[q * k + r] = s * apr + c * aqr;
        }
      }
    }
  }
  const eig = new Float64Array(k);
  for (let p = 0; p < k; p++) eig[p] = a[p * k + p]!;
  return eig.sort();
}

/**
 * Li & Ji's effective number of tests from the eigenvalues of a correlation
 * matrix: Σ [|λ| ≥ 1] + (|λ| − ⌊|λ|⌋). Between 1 and the number of columns
 * (for k ≥ 1); k when the columns are uncorrelated.
 */
export function computeEffectiveTestCount(eigenvalues: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < eigenvalues.length; i++) {
    // Rounding can leave an eigenvalue a hair below an integer; snap it.
    const raw = Math.abs(eigenvalues[i]!);
    const x = Math.abs(raw - Math.round(raw)) < 1e-9 ? Math.round(raw) : raw;
    m += (x >= 1 ? 1 : 0) + (x - Math.floor(x));
  }
  return Math.min(eigenvalues.length, Math.max(eigenvalues.length > 0 ? 1 : 0, m));
}
