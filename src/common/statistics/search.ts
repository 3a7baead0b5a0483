/**
 * Binary search on ascending arrays: the one copy behind bin lookups, bucket
 * lookups and rank counts. Both functions return an insertion point in
 * `[from, to]`, like C++'s `std::lower_bound` / `std::upper_bound` and NumPy's
 * `searchsorted(side="left" | "right")`.
 */

/**
 * Index of the first element of `sorted[from..to)` that is `≥ value` (`to`
 * when none is). Equivalently, the number of elements `< value` before it.
 * A NaN `value` compares false with everything: callers skip NaN first.
 */
export function lowerBound(sorted: ArrayLike<number>, value: number, from = 0, to = sorted.length): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Index of the first element of `sorted[from..to)` that is `> value` (`to`
 * when none is); with `from = 0`, how many elements are `≤ value`.
 */
export function upperBound(sorted: ArrayLike<number>, value: number, from = 0, to = sorted.length): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
