/**
 * The null half of the drift benchmark on the generated shapes
 * (bench/drift-shapes.ts): false-positive rate of the dataset-level decision
 * per (current, reference) size group and per pool, with Wilson intervals,
 * beside the SciPy-style KS+χ² Bonferroni detector on the same windows.
 * bench/drift.ts runs the cells on its worker processes; run alone
 * (`tsx bench/drift-null.ts [--trials N] [--pool NAME]`) it prints the
 * tables, for quick checks while developing.
 */
import { fileURLToPath } from "node:url";
import { createRandom } from "../src/common/random.js";
import { computeDriftReport } from "../src/monitoring/drift/report.js";
import { drawWindow, makeShapePools, SHAPE_GROUPS, type ShapePool } from "./drift-shapes.js";
import { judgeScipyStyle } from "./drift-scipy.js";

const ALPHA = 0.05;

/** One null cell's counts. */
export interface NullCell {
  readonly pool: string;
  readonly current: number;
  readonly reference: number;
  readonly trials: number;
  readonly ours: number;
  readonly scipy: number;
  /** Shuffles the calibration ran, summed over trials. */
  readonly permutations: number;
}

/** Runs `trials` undrifted pairs of one pool and group. */
export async function runNullCell(
  pool: ShapePool,
  group: { current: number; reference: number },
  trials: number,
  seed: number,
): Promise<NullCell> {
  const random = createRandom(seed);
  let ours = 0;
  let scipy = 0;
  let permutations = 0;
  for (let t = 0; t < trials; t++) {
    const reference = drawWindow(pool.frame, group.reference, random);
    const current = drawWindow(pool.frame, group.current, random);
    const report = await computeDriftReport(reference, current, { multivariate: false, seed: t });
    if (report.drift) ours++;
    permutations += report.correction.permutations ?? 0;
    const ks = report.features.map((f) => (f.method === "ks" && f.p_value !== null ? f.p_value : undefined));
    if (judgeScipyStyle(reference, current, ALPHA, ks).drift) scipy++;
  }
  return { pool: pool.name, ...group, trials, ours, scipy, permutations };
}

/** Wilson score interval (95 %) of `hits` out of `n`. */
export function wilson(hits: number, n: number): { low: number; high: number } {
  const z = 1.959963984540054;
  const p = hits / n;
  const d = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / d;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

const pct = (x: number) => (100 * x).toFixed(1);

/** "r % [low, high]" for hits out of n. */
export function rateWithInterval(hits: number, n: number): string {
  const w = wilson(hits, n);
  return `${pct(hits / n)} % [${pct(w.low)}, ${pct(w.high)}]`;
}

/** The rates the targets are judged on: all pairs, each group, each pool. */
export interface NullSummary {
  readonly lines: string[];
  readonly all: { ours: number; scipy: number };
  readonly groups: { label: string; ours: number; scipy: number }[];
  readonly pools: { label: string; ours: number; scipy: number }[];
}

/** Tables of the null cells: all pairs, per (current, reference) group, per pool. */
export function summariseNull(cells: readonly NullCell[]): NullSummary {
  const sum = (set: readonly NullCell[]) => ({
    n: set.reduce((s, c) => s + c.trials, 0),
    ours: set.reduce((s, c) => s + c.ours, 0),
    scipy: set.reduce((s, c) => s + c.scipy, 0),
    permutations: set.reduce((s, c) => s + c.permutations, 0),
  });
  const lines = [
    "| pairs | trials | ours: false-positive rate [95 % Wilson] | SciPy KS+χ² Bonferroni | mean shuffles per call |",
    "| --- | ---: | ---: | ---: | ---: |",
  ];
  const row = (label: string, set: readonly NullCell[]) => {
    const s = sum(set);
    lines.push(
      `| ${label} | ${s.n} | ${rateWithInterval(s.ours, s.n)} | ${rateWithInterval(s.scipy, s.n)} | ${(s.permutations / s.n).toFixed(0)} |`,
    );
    return { label, ours: s.ours / s.n, scipy: s.scipy / s.n };
  };
  const all = row("all pairs", cells);
  const groups = SHAPE_GROUPS.map((g) =>
    row(
      `current ${g.current}, reference ${g.reference}`,
      cells.filter((c) => c.current === g.current && c.reference === g.reference),
    ),
  );
  const poolNames = [...new Set(cells.map((c) => c.pool))];
  const pools = poolNames.map((name) =>
    row(
      `pool ${name}`,
      cells.filter((c) => c.pool === name),
    ),
  );
  return { lines, all, groups, pools };
}

async function main(): Promise<void> {
  const at = process.argv.indexOf("--trials");
  const trials = at < 0 ? 100 : Number(process.argv[at + 1]);
  const only = process.argv.indexOf("--pool");
  const groupAt = process.argv.indexOf("--max-current");
  const maxCurrent = groupAt < 0 ? 5000 : Number(process.argv[groupAt + 1]);
  const pools = makeShapePools().filter((p) => only < 0 || p.name === process.argv[only + 1]);
  const cells: NullCell[] = [];
  let seed = 1;
  for (const pool of pools) {
    for (const group of SHAPE_GROUPS) {
      if (group.current > maxCurrent) continue;
      const t0 = Date.now();
      const cell = await runNullCell(pool, group, trials, seed++);
      cells.push(cell);
      process.stderr.write(
        `${pool.name} ${group.current}/${group.reference}: ours ${cell.ours}, scipy ${cell.scipy} of ${trials} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`,
      );
    }
  }
  process.stdout.write(`${summariseNull(cells).lines.join("\n")}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
