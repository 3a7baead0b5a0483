/** Column outcomes of two raw windows, as the drift report computes them. */
import type { Frame } from "../../src/data/frame.js";
import { compareCategories, compareNumericSamples } from "../../src/monitoring/drift/column-tests.js";
import { computeShuffledMinima } from "../../src/monitoring/drift/min-p.js";
import { sortedNumericPair } from "../../src/monitoring/drift/numeric-pair.js";
import { sortFinite } from "../../src/monitoring/profile/bins.js";

/** Column outcomes as report.ts computes them against raw rows, method auto. */
export function outcomesOf(reference: Frame, current: Frame) {
  return reference.columns.map((ref, j) => {
    const cur = current.columns[j]!;
    if (ref.kind === "numeric" && cur.kind === "numeric") {
      return compareNumericSamples(
        ref.name,
        sortedNumericPair(sortFinite(ref.values), sortFinite(cur.values)),
        "auto",
      );
    }
    const counts = (c: typeof ref) => {
      const m = new Map<string, number>();
      let missing = 0;
      if (c.kind === "categorical") {
        for (const code of c.codes) {
          if (code < 0) missing++;
          else m.set(c.dictionary[code]!, (m.get(c.dictionary[code]!) ?? 0) + 1);
        }
      }
      return { counts: m, missing, other: 0 };
    };
    return compareCategories(ref.name, counts(ref), counts(cur), "auto");
  });
}

/**
 * The shuffled minima of the same shuffles computed both ways: through the
 * fast walks and counts of shuffled-columns.ts, and through column-tests.ts.
 */
export function shuffledBothWays(reference: Frame, current: Frame, permutations: number, seed: number) {
  const outcomes = outcomesOf(reference, current);
  return {
    outcomes,
    fast: computeShuffledMinima(reference, current, outcomes, { permutations, seed }),
    slow: computeShuffledMinima(reference, current, outcomes, { permutations, seed, fast: false }),
  };
}
