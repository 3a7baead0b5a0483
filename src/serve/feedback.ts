/**
 * Joins delayed labels to predictions by request id. Memory is bounded: the
 * oldest predictions are forgotten first (a Map keeps insertion order), and
 * a label for a forgotten or unknown id is reported as such rather than
 * guessed.
 */

/** What was predicted for one request. */
export interface PredictionRecord {
  readonly digest: string;
  readonly labels: readonly (string | number)[];
}

/** The request→prediction memory. */
export interface FeedbackStore {
  remember(requestId: string, record: PredictionRecord): void;
  /** Removes and returns the prediction (a label joins once). */
  take(requestId: string): PredictionRecord | undefined;
  readonly size: number;
}

/** Default number of predictions kept for joining. */
export const DEFAULT_FEEDBACK_CAPACITY = 100_000;

/** A store that keeps at most `capacity` predictions. */
export function createFeedbackStore(capacity = DEFAULT_FEEDBACK_CAPACITY): FeedbackStore {
  const records = new Map<string, PredictionRecord>();
  return {
    remember(requestId, record) {
      records.delete(requestId);
      records.set(requestId, record);
      while (records.size > capacity) {
        const oldest = records.keys().next();
        if (oldest.done === true) break;
        records.delete(oldest.value);
      }
    },
    take(requestId) {
      const record = records.get(requestId);
      records.delete(requestId);
      return record;
    },
    get size() {
      return records.size;
    },
  };
}

/** Whether a label given as feedback equals a predicted label (JSON may send 1 for "1"). */
export function sameLabel(label: unknown, predicted: string | number): boolean {
  if (typeof label === "number" || typeof label === "string" || typeof label === "boolean") {
    return String(label) === String(predicted);
  }
  return false;
}
