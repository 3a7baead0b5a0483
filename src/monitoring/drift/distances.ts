/**
 * Distances between two distributions, used as effect sizes and as the
 * `psi`, `js` and `wasserstein` methods: population stability index,
 * Jensen–Shannon distance (base-2 logarithm, so it lies in [0, 1]) and the
 * Wasserstein-1 distance divided by the reference standard deviation.
 */
import { computePopulationStd } from "../../common/statistics/descriptive.js";

/** Floor on a bin's share in PSI, so an empty bin gives a large but finite term. */
export const PSI_EPSILON = 1e-4;

function normalise(counts: ArrayLike<number>): Float64Array {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i]!;
  const out = new Float64Array(counts.length);
  if (total <= 0) return out;
  for (let i = 0; i < counts.length; i++) out[i] = counts[i]! / total;
  return out;
}

/**
 * Population stability index `Σ (c − r) · ln(c / r)` over shares; shares are
 * floored at {@link PSI_EPSILON}. Rules of thumb: < 0.1 stable, 0.1–0.25
 * moderate, > 0.25 large.
 */
export function computePsi(reference: ArrayLike<number>, current: ArrayLike<number>): number {
  const r = normalise(reference);
  const c = normalise(current);
  let psi = 0;
  for (let i = 0; i < r.length; i++) {
    const ri = Math.max(r[i]!, PSI_EPSILON);
    const ci = Math.max(c[i]!, PSI_EPSILON);
    psi += (ci - ri) * Math.log(ci / ri);
  }
  return psi;
}

/**
 * Jensen–Shannon distance with base-2 logarithms (the square root of the
 * divergence), in [0, 1]; equals `scipy.spatial.distance.jensenshannon(r, c, base=2)`.
 */
export function computeJensenShannon(reference: ArrayLike<number>, current: ArrayLike<number>): number {
  const r = normalise(reference);
  const c = normalise(current);
  let divergence = 0;
  for (let i = 0; i < r.length; i++) {
    const m = (r[i]! + c[i]!) / 2;
    if (r[i]! > 0) divergence += r[i]! * Math.log2(r[i]! / m);
    if (c[i]! > 0) divergence += c[i]! * Math.log2(c[i]! / m);
  }
  return Math.sqrt(Math.max(0, divergence / 2));
}

/**
 * Wasserstein-1 distance `∫ |F₁ − F₂|` between two sorted samples; equals
 * `scipy.stats.wasserstein_distance(u, v)`.
 */
export function computeWassersteinSorted(sorted1: Float64Array, sorted2: Float64Array): number {
  const n1 = sorted1.length;
  const n2 = sorted2.length;
  if (n1 === 0 || n2 === 0) throw new RangeError("Wasserstein distance needs two non-empty samples");
  let i = 0;
  let j = 0;
  let distance = 0;
  let previous = Math.min(sorted1[0]!, sorted2[0]!);
  while (i < n1 || j < n2) {
    const a = i < n1 ? sorted1[i]! : Number.POSITIVE_INFINITY;
    const b = j < n2 ? sorted2[j]! : Number.POSITIVE_INFINITY;
    const v = a <= b ? a : b;
    distance += Math.abs(i / n1 - j / n2) * (v - previous);
    previous = v;
    while (i < n1 && sorted1[i]! <= v) i++;
    while (j < n2 && sorted2[j]! <= v) j++;
  }
  return distance;
}

/**
 * Wasserstein distance divided by the reference's population standard
 * deviation (ddof 0), so it reads in units of σ. A constant reference has no
 * scale: the raw distance is returned.
 */
export function computeNormalisedWasserstein(
  sortedReference: Float64Array,
  sortedCurrent: Float64Array,
): number {
  const distance = computeWassersteinSorted(sortedReference, sortedCurrent);
  const std = computePopulationStd(sortedReference);
  return std > 0 ? distance / std : distance;
}
