/**
 * Cholesky factorisation and solves for symmetric positive definite systems
 * (normal equations of ridge and least squares, Newton steps), on row-major
 * `Float64Array` matrices. Own code, not a library: the learners and the
 * bandit call it in loops on typed arrays, and the results must match
 * `numpy.linalg.solve` to the last digits the goldens check.
 */

/**
 * Overwrites the lower triangle of the `n × n` matrix `a` (row-major) by its
 * Cholesky factor L, A = L Lᵀ; the strict upper triangle is left as it was.
 * Returns false when `a` is not numerically positive definite (then `a` is
 * partly overwritten).
 */
export function factorCholeskyInPlace(a: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    let diag = a[j * n + j]!;
    for (let k = 0; k < j; k++) diag -= a[j * n + k]! * a[j * n + k]!;
    if (!(diag > 0)) return false;
    const ljj = Math.sqrt(diag);
    a[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j]!;
      for (let k = 0; k < j; k++) s -= a[i * n + k]! * a[j * n + k]!;
      a[i * n + j] = s / ljj;
    }
  }
  return true;
}

/** Solves (L Lᵀ) x = b in place, given the Cholesky factor L in the lower triangle of `l`: `b` becomes x. */
export function solveCholeskyFactoredInPlace(l: Float64Array, n: number, b: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[i * n + k]! * b[k]!;
    b[i] = s / l[i * n + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let k = i + 1; k < n; k++) s -= l[k * n + i]! * b[k]!;
    b[i] = s / l[i * n + i]!;
  }
}

/**
 * Solves `A x = b` in place for a symmetric positive-definite `A` (row-major,
 * `n × n`), by Cholesky. `A` is overwritten by its factor and `b` by the
 * solution. Returns false when `A` is not numerically positive definite.
 */
export function solveCholeskyInPlace(a: Float64Array, b: Float64Array, n: number): boolean {
  if (!factorCholeskyInPlace(a, n)) return false;
  solveCholeskyFactoredInPlace(a, n, b);
  return true;
}

/**
 * Cholesky factor L (lower triangle, row-major) of a symmetric positive
 * definite matrix, leaving `a` as it is.
 *
 * @throws RangeError when `a` is not positive definite.
 */
export function computeCholeskyFactor(a: Float64Array, n: number): Float64Array {
  const l = Float64Array.from(a);
  if (!factorCholeskyInPlace(l, n)) throw new RangeError("matrix is not positive definite");
  return l;
}

/** Solves (L Lᵀ) y = v given the Cholesky factor L (see {@link computeCholeskyFactor}); `v` is left as it is. */
export function solveCholesky(l: Float64Array, n: number, v: ArrayLike<number>): Float64Array {
  const y = Float64Array.from(v);
  solveCholeskyFactoredInPlace(l, n, y);
  return y;
}
