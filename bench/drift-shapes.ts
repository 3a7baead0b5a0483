/**
 * Null-benchmark shapes for bench/drift.ts: small generated pools (150–600
 * rows, seeded) with the data shapes that strain a calibrated drift decision
 * — highly correlated columns, integer pixel-like columns with heavy ties,
 * mixed categorical/numeric columns with missing values and rare levels —
 * and windows drawn from them with replacement: current windows of 100–5,000
 * rows against references of the same size or of 5,000 rows (a 5,000-row
 * reference resampled from a pool of a few hundred rows is mostly exact
 * duplicates). Both windows are i.i.d. draws from the pool, so "no drift" is
 * exactly true and any alarm is a false one.
 */
import { createRandom, type Random } from "../src/common/random.js";
import type { Column, Frame } from "../src/data/frame.js";

/** A generated pool: its rows and a short description for the document. */
export interface ShapePool {
  readonly name: string;
  readonly description: string;
  readonly frame: Frame;
}

function numericColumn(name: string, values: ArrayLike<number>): Column {
  return { kind: "numeric", name, values: Float64Array.from(values) };
}

function categoricalColumn(name: string, codes: Int32Array, levels: number): Column {
  return {
    kind: "categorical",
    name,
    codes,
    dictionary: Array.from({ length: levels }, (_, k) => `${name}_${k}`),
  };
}

/** k factors, each copied `copies` times with small noise: correlations near 1 within a factor. */
function correlatedPool(
  name: string,
  rows: number,
  factors: number,
  copies: number,
  noise: number,
  random: Random,
): ShapePool {
  const columns: Column[] = [];
  for (let f = 0; f < factors; f++) {
    const base = Float64Array.from({ length: rows }, () => random.normal());
    for (let c = 0; c < copies; c++) {
      // Skewed (log-normal) marginals on every other factor, rounded to 3 decimals.
      const skew = f % 2 === 1;
      columns.push(
        numericColumn(
          `f${f}_${c}`,
          Array.from(base, (v) => {
            const x = v + noise * random.normal();
            return Math.round((skew ? Math.exp(x) : x) * 1000) / 1000;
          }),
        ),
      );
    }
  }
  return {
    name,
    description: `${rows} rows × ${factors * copies} numeric columns: ${factors} latent factors, each copied ${copies} times with noise ${noise} (within-factor correlation ≈ ${(1 / (1 + noise * noise)).toFixed(2)})`,
    frame: { nRows: rows, columns },
  };
}

/** Digit-like 0..16 integers on a 6 × 6 grid: mostly 0 at the edges, saturated at 16 in strokes, neighbours correlated. */
function pixelPool(name: string, rows: number, random: Random): ShapePool {
  const side = 6;
  const values = Array.from({ length: side * side }, () => new Float64Array(rows));
  for (let i = 0; i < rows; i++) {
    // A stroke: a random centre and width; intensity falls with distance.
    const cx = 1.5 + 3 * random.next();
    const cy = 1.5 + 3 * random.next();
    const width = 0.8 + 1.2 * random.next();
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        const d = Math.hypot(x - cx, y - cy);
        const level = 20 * Math.exp(-(d * d) / (2 * width * width)) - 3 + 2 * random.normal();
        values[y * side + x]![i] = Math.max(0, Math.min(16, Math.round(level)));
      }
    }
  }
  return {
    name,
    description: `${rows} rows × ${side * side} integer pixel columns in 0..16 (heavy ties: most values 0 or 16; neighbours correlated)`,
    frame: { nRows: rows, columns: values.map((v, j) => numericColumn(`px${j}`, v)) },
  };
}

/** Skewed category codes cut from a latent normal at quantiles of a squared scale (rare levels). */
function skewedCodes(latent: Float64Array, levels: number, missing: number, random: Random): Int32Array {
  const sorted = Float64Array.from(latent).sort();
  const cuts = Array.from(
    { length: levels - 1 },
    (_, k) => sorted[Math.floor(((k + 1) / levels) ** 1.5 * (sorted.length - 1))]!,
  );
  return Int32Array.from(latent, (v) => {
    if (random.next() < missing) return -1;
    let c = 0;
    while (c < cuts.length && v > cuts[c]!) c++;
    return c;
  });
}

/** Numeric (correlated, one count-like integer) and categorical columns (3–12 skewed levels, one binary) with MCAR missing values. */
function mixedPool(name: string, rows: number, random: Random): ShapePool {
  const z = Array.from({ length: 4 }, () => Float64Array.from({ length: rows }, () => random.normal()));
  const withMissing = (v: number, rate: number) => (random.next() < rate ? Number.NaN : v);
  const columns: Column[] = [
    numericColumn(
      "income",
      Array.from(z[0]!, (v) => withMissing(Math.round(Math.exp(10 + 0.5 * v)), 0.03)),
    ),
    numericColumn(
      "spend",
      Array.from(z[0]!, (v) => Math.round(Math.exp(8 + 0.5 * v + 0.1 * random.normal()))),
    ),
    numericColumn(
      "age",
      Array.from(z[1]!, (v) => Math.round(40 + 12 * v)),
    ),
    numericColumn(
      "tenure",
      Array.from(z[1]!, (v) => withMissing(Math.round(100 * (0.6 * v + 0.8 * random.normal())) / 100, 0.05)),
    ),
    // Count-like integers with heavy ties at 0 and 1.
    numericColumn(
      "visits",
      Array.from(z[2]!, (v) => Math.max(0, Math.round(Math.exp(0.8 * v) - 0.5))),
    ),
    numericColumn(
      "score",
      Array.from(z[2]!, (v) => Math.round(1000 * (0.9 * v + 0.44 * random.normal())) / 1000),
    ),
  ];
  [3, 5, 8, 12].forEach((levels, k) => {
    const latent = Float64Array.from(z[k]!, (v) => 0.7 * v + 0.7 * random.normal());
    columns.push(
      categoricalColumn(`cat${levels}`, skewedCodes(latent, levels, k === 3 ? 0.02 : 0, random), levels),
    );
  });
  columns.push(
    categoricalColumn(
      "flag",
      Int32Array.from(z[3]!, (v) => (v > 1.2 ? 1 : 0)),
      2,
    ),
  );
  return {
    name,
    description: `${rows} rows: 6 numeric columns (pairs correlated, log-normal money amounts, a count with heavy ties at 0–1, MCAR missing 3–5 % in two) and 5 categorical (3, 5, 8, 12 skewed levels — the rarest under 1 %, 2 % missing in one — and a binary flag)`,
    frame: { nRows: rows, columns },
  };
}

/** The five pools of the null benchmark, generated from one seed. */
export function makeShapePools(seed = 26): ShapePool[] {
  const random = createRandom(seed);
  return [
    correlatedPool("correlated-150", 150, 4, 4, 0.05, random.fork(1)),
    correlatedPool("correlated-600", 600, 2, 12, 0.2, random.fork(2)),
    pixelPool("pixels-300", 300, random.fork(3)),
    mixedPool("mixed-400", 400, random.fork(4)),
    mixedPool("mixed-200", 200, random.fork(5)),
  ];
}

/** (current window rows, reference rows) groups: the same size, or a 5,000-row resample. */
export const SHAPE_GROUPS: readonly { readonly current: number; readonly reference: number }[] = [
  { current: 100, reference: 100 },
  { current: 100, reference: 5000 },
  { current: 500, reference: 500 },
  { current: 500, reference: 5000 },
  { current: 1000, reference: 1000 },
  { current: 1000, reference: 5000 },
  { current: 5000, reference: 5000 },
];

/** `n` rows drawn with replacement from the pool. */
export function drawWindow(pool: Frame, n: number, random: Random): Frame {
  const rows = Int32Array.from({ length: n }, () => random.int(pool.nRows));
  return {
    nRows: n,
    columns: pool.columns.map((column): Column => {
      if (column.kind === "numeric") {
        return { ...column, values: Float64Array.from(rows, (r) => column.values[r]!) };
      }
      return { ...column, codes: Int32Array.from(rows, (r) => column.codes[r]!) };
    }),
  };
}
