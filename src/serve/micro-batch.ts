/**
 * Opportunistic batching of small requests into one model run. onnxruntime
 * runs a session synchronously on the event loop, and a call has a fixed
 * cost (binding every input tensor, running every tree's root) that dwarfs
 * the cost of one more row: a run of 16 rows costs about as much as two runs
 * of one. So requests that arrive while a run is pending wait for the next
 * run and share it, as Triton's and KServe's batchers do — with no timer:
 * a lone request is never delayed to wait for company, it only joins what is
 * already queued in the same turn of the event loop.
 *
 * Rows are independent in every model the server loads (each output row is
 * a function of its input row alone), so a coalesced run gives every
 * request exactly the values a run of its own would.
 */
import type { OnnxClassification, OnnxColumns, OnnxRegression } from "../onnx/index.js";

/** What a model run returns. */
export type Prediction = OnnxClassification | OnnxRegression;

/** Runs the model on equally long columns. */
export type PredictColumns = (columns: OnnxColumns) => Promise<Prediction>;

/** Default most rows coalesced into one run; a request at least this large runs alone. */
export const DEFAULT_MAX_BATCH_ROWS = 256;

interface Waiting {
  readonly columns: OnnxColumns;
  readonly nRows: number;
  readonly resolve: (prediction: Prediction) => void;
  readonly reject: (error: unknown) => void;
}

function rowsOf(columns: OnnxColumns): number {
  for (const name in columns) return columns[name]!.length;
  return 0;
}

/** Concatenates the requests' columns, input by input, in queue order. */
export function concatColumns(parts: readonly OnnxColumns[], nRows: number): OnnxColumns {
  const first = parts[0]!;
  const merged: Record<string, Float32Array | string[]> = {};
  for (const name of Object.keys(first)) {
    if (first[name] instanceof Float32Array) {
      const column = new Float32Array(nRows);
      let offset = 0;
      for (const part of parts) {
        const values = part[name] as Float32Array;
        column.set(values, offset);
        offset += values.length;
      }
      merged[name] = column;
    } else {
      const column: string[] = [];
      for (const part of parts) for (const value of part[name] as readonly string[]) column.push(value);
      merged[name] = column;
    }
  }
  return merged;
}

/** Rows `start … start + n` of a prediction, as views where the data allows. */
export function slicePrediction(prediction: Prediction, start: number, n: number): Prediction {
  if (prediction.task === "regression") {
    return { task: "regression", values: prediction.values.subarray(start, start + n) };
  }
  const k = prediction.nClasses;
  return {
    task: "classification",
    labels: prediction.labels.slice(start, start + n),
    probabilities: prediction.probabilities.subarray(start * k, (start + n) * k),
    nClasses: k,
  };
}

/**
 * Wraps `predict` so that concurrent small requests share runs. A failed
 * shared run is retried request by request, so one request's failure is
 * never another's.
 */
export function createMicroBatcher(
  predict: PredictColumns,
  maxBatchRows: number = DEFAULT_MAX_BATCH_ROWS,
): PredictColumns {
  const queue: Waiting[] = [];
  let scheduled = false;
  let running = false;

  function schedule(): void {
    if (scheduled || running || queue.length === 0) return;
    scheduled = true;
    // setImmediate, not a microtask: every request parsed in this turn of the event loop joins.
    setImmediate(flush);
  }

  function takeBatch(): Waiting[] {
    const batch: Waiting[] = [];
    let rows = 0;
    while (queue.length > 0 && (batch.length === 0 || rows + queue[0]!.nRows <= maxBatchRows)) {
      const next = queue.shift()!;
      rows += next.nRows;
      batch.push(next);
    }
    return batch;
  }

  async function runAlone(request: Waiting): Promise<void> {
    try {
      request.resolve(await predict(request.columns));
    } catch (error) {
      request.reject(error);
    }
  }

  async function runShared(batch: readonly Waiting[]): Promise<void> {
    const nRows = batch.reduce((sum, w) => sum + w.nRows, 0);
    let prediction: Prediction;
    try {
      prediction = await predict(
        concatColumns(
          batch.map((w) => w.columns),
          nRows,
        ),
      );
    } catch {
      // Find out whose rows the model refused: each request on its own.
      for (const request of batch) await runAlone(request);
      return;
    }
    let start = 0;
    for (const request of batch) {
      request.resolve(slicePrediction(prediction, start, request.nRows));
      start += request.nRows;
    }
  }

  function flush(): void {
    scheduled = false;
    const batch = takeBatch();
    if (batch.length === 0) return;
    running = true;
    const done = batch.length === 1 ? runAlone(batch[0]!) : runShared(batch);
    void done.finally(() => {
      running = false;
      schedule();
    });
  }

  return (columns) => {
    const nRows = rowsOf(columns);
    if (nRows >= maxBatchRows) return predict(columns);
    return new Promise<Prediction>((resolve, reject) => {
      queue.push({ columns, nRows, resolve, reject });
      schedule();
    });
  };
}
