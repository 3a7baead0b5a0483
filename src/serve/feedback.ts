/**
 * Joins delayed labels to predictions by request id. Memory is bounded and
 * allocated up front: the oldest predictions are forgotten first, and a
 * label for a forgotten or unknown id is reported as such rather than
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

/** Default number of predicted rows kept for joining, over all remembered requests. */
export const DEFAULT_FEEDBACK_ROW_CAPACITY = 1_000_000;

/** Two independent 32-bit FNV-1a hashes of a string's UTF-16 code units: a 64-bit key. */
function hashId(id: string, out: Uint32Array): void {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ id.length;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  out[0] = a >>> 0;
  out[1] = (b ^ (b >>> 13)) >>> 0;
}

/** Interns strings (digests, class names) as small integers. */
function createInterner(): { code(text: string): number; text(code: number): string } {
  const codes = new Map<string, number>();
  const texts: string[] = [];
  return {
    code(text) {
      let code = codes.get(text);
      if (code === undefined) {
        code = texts.length;
        texts.push(text);
        codes.set(text, code);
      }
      return code;
    },
    text: (code) => texts[code]!,
  };
}

/**
 * A store that keeps the last `capacity` predictions, and at most
 * `rowCapacity` predicted rows among them; the oldest go first.
 *
 * Everything lives in typed arrays allocated once — an open-addressing hash
 * table on a 64-bit hash of the request id, a ring of records and a ring of
 * rows — so remembering a prediction retains no JavaScript object. A store
 * of objects keyed by id strings would hold hundreds of thousands of live
 * objects, and every full garbage collection would walk them all: pauses of
 * tens of milliseconds, in the request path. Two ids share a 64-bit hash with
 * probability about n² / 2⁶⁵ (3·10⁻¹⁰ for 100,000 ids).
 */
export function createFeedbackStore(
  capacity = DEFAULT_FEEDBACK_CAPACITY,
  rowCapacity = DEFAULT_FEEDBACK_ROW_CAPACITY,
): FeedbackStore {
  let tableSize = 2;
  while (tableSize < capacity * 2) tableSize *= 2;
  const mask = tableSize - 1;
  const tableHi = new Uint32Array(tableSize);
  const tableLo = new Uint32Array(tableSize);
  /** Record index held by each table slot; -1 when empty. */
  const tableRecord = new Int32Array(tableSize).fill(-1);

  const recordHi = new Uint32Array(capacity);
  const recordLo = new Uint32Array(capacity);
  const recordStart = new Int32Array(capacity);
  const recordRows = new Int32Array(capacity);
  const recordDigest = new Int32Array(capacity);
  const recordLive = new Uint8Array(capacity);
  let oldest = 0;
  let records = 0;
  let live = 0;

  /** A label is a number, or (flag set) the code of an interned string. */
  const rowValue = new Float64Array(rowCapacity);
  const rowIsText = new Uint8Array(rowCapacity);
  let firstRow = 0;
  let rowsUsed = 0;

  const digests = createInterner();
  const labelTexts = createInterner();
  const key = new Uint32Array(2);

  /** The table slot holding `hi:lo`, or the empty slot where it would go (as −slot − 1). */
  function find(hi: number, lo: number): number {
    let i = lo & mask;
    // The table is never more than half full, so a probe run ends long before this bound.
    for (let probes = 0; probes < tableSize; probes++) {
      if (tableRecord[i] === -1) return -i - 1;
      if (tableLo[i] === lo && tableHi[i] === hi) return i;
      i = (i + 1) & mask;
    }
    throw new Error("feedback store: the hash table has no free slot left (an internal error)");
  }

  /** Empties a slot, shifting later entries of its probe run back so lookups stay correct. */
  function removeSlot(slot: number): void {
    let hole = slot;
    let i = slot;
    for (;;) {
      i = (i + 1) & mask;
      if (tableRecord[i] === -1) break;
      const home = tableLo[i]! & mask;
      // Entry i may fill the hole unless its home lies cyclically in (hole, i].
      const stays = hole <= i ? home > hole && home <= i : home > hole || home <= i;
      if (stays) continue;
      tableHi[hole] = tableHi[i]!;
      tableLo[hole] = tableLo[i]!;
      tableRecord[hole] = tableRecord[i]!;
      hole = i;
    }
    tableRecord[hole] = -1;
  }

  function forget(record: number): void {
    if (recordLive[record] === 0) return;
    const slot = find(recordHi[record]!, recordLo[record]!);
    if (slot >= 0 && tableRecord[slot] === record) removeSlot(slot);
    recordLive[record] = 0;
    live--;
  }

  function dropOldest(): void {
    forget(oldest);
    firstRow = (firstRow + recordRows[oldest]!) % rowCapacity;
    rowsUsed -= recordRows[oldest]!;
    oldest = (oldest + 1) % capacity;
    records--;
  }

  return {
    remember(requestId, record) {
      const n = record.labels.length;
      hashId(requestId, key);
      const hi = key[0]!;
      const lo = key[1]!;
      const existing = find(hi, lo);
      if (existing >= 0) forget(tableRecord[existing]!);
      if (n > rowCapacity) return;
      while (records === capacity || rowsUsed + n > rowCapacity) dropOldest();
      const index = (oldest + records) % capacity;
      const start = (firstRow + rowsUsed) % rowCapacity;
      for (let r = 0; r < n; r++) {
        const label = record.labels[r]!;
        const at = (start + r) % rowCapacity;
        if (typeof label === "number") {
          rowValue[at] = label;
          rowIsText[at] = 0;
        } else {
          rowValue[at] = labelTexts.code(label);
          rowIsText[at] = 1;
        }
      }
      recordHi[index] = hi;
      recordLo[index] = lo;
      recordStart[index] = start;
      recordRows[index] = n;
      recordDigest[index] = digests.code(record.digest);
      recordLive[index] = 1;
      records++;
      rowsUsed += n;
      live++;
      const slot = -find(hi, lo) - 1;
      tableHi[slot] = hi;
      tableLo[slot] = lo;
      tableRecord[slot] = index;
    },
    take(requestId) {
      hashId(requestId, key);
      const slot = find(key[0]!, key[1]!);
      if (slot < 0) return undefined;
      const index = tableRecord[slot]!;
      const labels: (string | number)[] = new Array<string | number>(recordRows[index]!);
      for (let r = 0; r < labels.length; r++) {
        const at = (recordStart[index]! + r) % rowCapacity;
        labels[r] = rowIsText[at] === 1 ? labelTexts.text(rowValue[at]!) : rowValue[at]!;
      }
      forget(index);
      return { digest: digests.text(recordDigest[index]!), labels };
    },
    get size() {
      return live;
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
