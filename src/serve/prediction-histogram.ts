/**
 * Histograms of predictions (regression values, classifier scores). A batch of 1,000 rows must not
 * cost 1,000 prom-client `observe` calls (each hashes its labels; about a
 * microsecond a row), so rows are counted into typed arrays with a binary
 * search and exposed at scrape time as the series of a classic Prometheus
 * histogram: `_bucket` (cumulative, with `le`), `_sum` and `_count`, the same
 * layout as the feature buckets. `histogram_quantile` and `sum by (le)`
 * across replicas work on them as on any histogram.
 */
import { Counter, type Metric, type Registry } from "prom-client";
import { lowerBound } from "../common/statistics/search.js";

/**
 * Default buckets of regression predictions. A regressor's scale is not known
 * in advance, so the buckets cover ±10^-2 … 10^6 at 1, 2, 5 per decade:
 * every replica has the same ones, so they sum, and a quantile is right
 * within a factor of 2.5 anywhere in that range.
 */
export const PREDICTION_VALUE_BUCKETS: readonly number[] = (() => {
  const positive: number[] = [];
  for (let exponent = -2; exponent <= 6; exponent++) {
    for (const mantissa of [1, 2, 5]) {
      if (exponent === 6 && mantissa > 1) break;
      positive.push(Number(`${mantissa}e${exponent}`));
    }
  }
  return [...positive.map((v) => -v).reverse(), 0, ...positive];
})();

/** One line of a histogram family: `<name>_bucket`, `_sum` or `_count`. */
interface HistogramSample {
  readonly metricName: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

/**
 * A histogram family whose lines `collect()` builds at each scrape, in the
 * shape prom-client's registry renders (`get()` → name, help, type, values).
 */
function scrapedHistogram(name: string, help: string, collect: () => HistogramSample[]): Metric {
  const metric = {
    name,
    help,
    type: "histogram",
    aggregator: "sum",
    get: () => Promise.resolve({ name, help, type: "histogram", aggregator: "sum", values: collect() }),
    reset: () => undefined,
  };
  return metric as unknown as Metric;
}

/** The labels of a served model's series. */
export interface ServedLabels {
  readonly model: string;
  readonly version: string;
  readonly role: string;
}

interface Series {
  readonly labels: ServedLabels;
  /** Values per bucket (not cumulative); the last entry is above every bound. */
  readonly counts: Float64Array;
  sum: number;
  count: number;
  nonFinite: number;
}

/** Counts predictions; read by the registry at scrape time. */
export interface PredictionHistogram {
  readonly bounds: Float64Array;
  /** Counts `values[0..nRows)`; NaN and infinities are counted apart. */
  observe(labels: ServedLabels, values: ArrayLike<number>, nRows: number): void;
}

/** Throws unless `bounds` are finite and strictly increasing. */
export function checkBuckets(bounds: readonly number[]): void {
  for (let i = 0; i < bounds.length; i++) {
    const b = bounds[i]!;
    if (!Number.isFinite(b) || (i > 0 && !(b > bounds[i - 1]!)))
      throw new RangeError(
        `prediction buckets must be finite and strictly increasing; got ${bounds.join(", ")}`,
      );
  }
}

/**
 * Creates the histogram `name` in `registry` (its `_bucket`, `_sum` and
 * `_count` series, and `<name>_non_finite_total` for NaN and infinities).
 */
export function createPredictionHistogram(
  registry: Registry,
  name: string,
  bucketBounds: readonly number[],
  what = "Regressor predicted value",
): PredictionHistogram {
  checkBuckets(bucketBounds);
  const bounds = Float64Array.from(bucketBounds);
  const series = new Map<string, Series>();
  const labelNames = ["model", "version", "role"] as const;
  // One histogram family (`# TYPE <name> histogram`), filled at scrape time:
  // prom-client's own Histogram would cost a label hash per observed row.
  registry.registerMetric(
    scrapedHistogram(name, `${what} (finite values)`, () => {
      const values: HistogramSample[] = [];
      for (const s of series.values()) {
        let cumulative = 0;
        for (let b = 0; b <= bounds.length; b++) {
          cumulative += s.counts[b]!;
          const le = b < bounds.length ? String(bounds[b]) : "+Inf";
          values.push({ metricName: `${name}_bucket`, labels: { ...s.labels, le }, value: cumulative });
        }
        values.push({ metricName: `${name}_sum`, labels: { ...s.labels }, value: s.sum });
        values.push({ metricName: `${name}_count`, labels: { ...s.labels }, value: s.count });
      }
      return values;
    }),
  );
  new Counter({
    name: `${name}_non_finite_total`,
    help: `${what}: NaN or infinite values (not in the histogram)`,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const s of series.values()) this.inc({ ...s.labels }, s.nonFinite);
    },
  });
  return {
    bounds,
    observe(labels, values, nRows) {
      const key = `${labels.model}\u0000${labels.version}\u0000${labels.role}`;
      let s = series.get(key);
      if (s === undefined) {
        s = {
          labels: { model: labels.model, version: labels.version, role: labels.role },
          counts: new Float64Array(bounds.length + 1),
          sum: 0,
          count: 0,
          nonFinite: 0,
        };
        series.set(key, s);
      }
      const n = Math.min(nRows, values.length);
      const { counts } = s;
      let sum = 0;
      let finite = 0;
      for (let i = 0; i < n; i++) {
        const v = values[i]!;
        if (!Number.isFinite(v)) continue;
        counts[lowerBound(bounds, v)]!++;
        sum += v;
        finite++;
      }
      s.sum += sum;
      s.count += finite;
      s.nonFinite += n - finite;
    },
  };
}
