/**
 * Stable argsort of float64 values by an LSD radix sort on their IEEE-754
 * bit patterns: linear time, no comparator calls (a comparator-based
 * argsort of typed arrays is several times slower). The permutation
 * calibration needs, per column, the rows of both windows in value order.
 * The order is the one `Float64Array.sort` gives for values without NaN
 * (−0 before +0).
 */

const DIGIT_BITS = 11;
const BUCKETS = 1 << DIGIT_BITS;
const MASK = BUCKETS - 1;
/** 64 bits in 11-bit digits: three from the low word (33 bits, the top one shared), three from the high. */
const PASSES = 6;

/**
 * Keys whose unsigned order is the numeric order: negative values have
 * every bit flipped, the others only the sign bit.
 */
function toKeys(values: Float64Array): { lo: Uint32Array<ArrayBuffer>; hi: Uint32Array<ArrayBuffer> } {
  const n = values.length;
  const words = new Uint32Array(values.buffer, values.byteOffset, n * 2);
  const lo = new Uint32Array(n);
  const hi = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const l = words[2 * i]!;
    const h = words[2 * i + 1]!;
    if (h >>> 31) {
      lo[i] = ~l >>> 0;
      hi[i] = ~h >>> 0;
    } else {
      lo[i] = l;
      hi[i] = (h | 0x80000000) >>> 0;
    }
  }
  return { lo, hi };
}

function histograms(lo: Uint32Array, hi: Uint32Array): Uint32Array {
  const counts = new Uint32Array(PASSES * BUCKETS);
  for (let i = 0; i < lo.length; i++) {
    const l = lo[i]!;
    const h = hi[i]!;
    counts[l & MASK]!++;
    counts[BUCKETS + ((l >>> 11) & MASK)]!++;
    counts[2 * BUCKETS + (((l >>> 22) | (h << 10)) & MASK)]!++;
    counts[3 * BUCKETS + ((h >>> 1) & MASK)]!++;
    counts[4 * BUCKETS + ((h >>> 12) & MASK)]!++;
    counts[5 * BUCKETS + (h >>> 23)]!++;
  }
  return counts;
}

/**
 * Positions of `values` (no NaN) in ascending order, ties in their original
 * order (stable): `values[order[0]]` is the smallest. Passes where every key
 * has the same digit are skipped: they would not move anything.
 */
export function radixArgsortFloat64(values: Float64Array): Int32Array {
  const n = values.length;
  let idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  if (n < 2) return idx;
  let { lo, hi } = toKeys(values);
  let lo2 = new Uint32Array(n);
  let hi2 = new Uint32Array(n);
  let idx2 = new Int32Array(n);
  const counts = histograms(lo, hi);
  const offsets = new Uint32Array(BUCKETS);
  for (let p = 0; p < PASSES; p++) {
    const base = p * BUCKETS;
    let trivial = false;
    let sum = 0;
    for (let b = 0; b < BUCKETS; b++) {
      const c = counts[base + b]!;
      if (c === n) trivial = true;
      offsets[b] = sum;
      sum += c;
    }
    if (trivial) continue;
    // The digit comes from the low word (passes 0–2), the high word (3–5),
    // or both (2); masks select the parts without a branch in the loop.
    const sLo = p < 3 ? 11 * p : 0;
    const mLo = p < 3 ? 0xffffffff : 0;
    const mHiUp = p === 2 ? 0xffffffff : 0;
    const sHiDown = p < 3 ? 0 : 11 * p - 32;
    const mHiDown = p < 3 ? 0 : 0xffffffff;
    for (let i = 0; i < n; i++) {
      const l = lo[i]!;
      const h = hi[i]!;
      const d = (((l >>> sLo) & mLo) | ((h << 10) & mHiUp) | ((h >>> sHiDown) & mHiDown)) & MASK;
      const at = offsets[d]!++;
      lo2[at] = l;
      hi2[at] = h;
      idx2[at] = idx[i]!;
    }
    [lo, lo2] = [lo2, lo];
    [hi, hi2] = [hi2, hi];
    [idx, idx2] = [idx2, idx];
  }
  return idx;
}
