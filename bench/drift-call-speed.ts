/**
 * Per-call cost of the permutation-calibrated decision against the plain
 * path, on the generated shapes (bench/drift-shapes.ts): current windows of
 * 500–5,000 rows against references of the same size or of 5,000 rows,
 * undrifted and with every numeric column shifted by 0.5σ. The plain path is
 * the same column tests with a threshold from the p-values alone
 * (`correction: "bh"`, which costs what Bonferroni's α/m costs: one pass
 * over the p-values). Run alone, after the benchmark's worker processes.
 */
import { performance } from "node:perf_hooks";
import { createRandom } from "../src/common/random.js";
import type { Column, Frame } from "../src/data/frame.js";
import { computeDriftReport, type DriftOptions } from "../src/monitoring/drift/report.js";
import { drawWindow, makeShapePools, SHAPE_GROUPS } from "./drift-shapes.js";

function shiftNumeric(frame: Frame, pool: Frame): Frame {
  return {
    nRows: frame.nRows,
    columns: frame.columns.map((c, j): Column => {
      if (c.kind !== "numeric") return c;
      const p = pool.columns[j] as Extract<Column, { kind: "numeric" }>;
      let s = 0;
      let s2 = 0;
      let n = 0;
      for (const v of p.values) {
        if (v !== v) continue;
        s += v;
        s2 += v * v;
        n++;
      }
      const sd = Math.sqrt(Math.max(0, s2 / n - (s / n) ** 2));
      return { ...c, values: Float64Array.from(c.values, (v) => v + 0.5 * sd) };
    }),
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Median per-call seconds of both paths, by current window size, and the overall ratio. */
export async function measureCallSpeed(repeats: number): Promise<{ lines: string[]; ratio: number }> {
  const random = createRandom(2626);
  const pools = makeShapePools();
  const lines = [
    "| current rows | windows | min-P call (median) | plain call (median) | ratio of medians | ratio, drifted windows | mean shuffles |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  const ratios: number[] = [];
  for (const current of [500, 1000, 5000]) {
    const times = {
      minP: [] as number[],
      plain: [] as number[],
      minPDrift: [] as number[],
      plainDrift: [] as number[],
    };
    let shuffles = 0;
    let calls = 0;
    for (const pool of pools) {
      for (const group of SHAPE_GROUPS.filter((g) => g.current === current)) {
        for (let r = 0; r < repeats; r++) {
          const reference = drawWindow(pool.frame, group.reference, random);
          const undrifted = drawWindow(pool.frame, current, random);
          const drifted = shiftNumeric(drawWindow(pool.frame, current, random), pool.frame);
          for (const [window, minP, plain] of [
            [undrifted, times.minP, times.plain],
            [drifted, times.minPDrift, times.plainDrift],
          ] as const) {
            const run = async (options: DriftOptions) => {
              const t0 = performance.now();
              const report = await computeDriftReport(reference, window, { multivariate: false, ...options });
              return { seconds: (performance.now() - t0) / 1000, report };
            };
            const a = await run({});
            const b = await run({ correction: "bh" });
            minP.push(a.seconds);
            plain.push(b.seconds);
            shuffles += a.report.correction.permutations ?? 0;
            calls++;
          }
        }
      }
    }
    const ratio = median(times.minP) / median(times.plain);
    ratios.push(ratio, median(times.minPDrift) / median(times.plainDrift));
    lines.push(
      `| ${current} | ${times.minP.length} + ${times.minPDrift.length} | ${(1000 * median(times.minP)).toFixed(1)} ms | ${(1000 * median(times.plain)).toFixed(1)} ms | ${ratio.toFixed(2)}× | ${(median(times.minPDrift) / median(times.plainDrift)).toFixed(2)}× | ${(shuffles / calls).toFixed(0)} |`,
    );
  }
  return { lines, ratio: Math.max(...ratios) };
}
