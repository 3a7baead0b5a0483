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
 * An open-addressing hash table from a 64-bit key (two 32-bit halves) to a
 * record index, in typed arrays allocated once; linear probing, and deletion
 * by shifting back (no tombstones), so lookups never slow down with churn.
 */
interface IdTable {
  readonly size: number;
  readonly mask: number;
  readonly hi: Uint32Array;
  readonly lo: Uint32Array;
  /** Record index held by each slot; -1 when empty. */
  readonly record: Int32Array;
}

function createIdTable(capacity: number): IdTable {
  let size = 2;
  // At most half full, so probe runs stay short.
  while (size < capacity * 2) size *= 2;
  return {
    size,
    mask: size - 1,
    hi: new Uint32Array(size),
    lo: new Uint32Array(size),
    record: new Int32Array(size).fill(-1),
  };
}

/** The slot holding `hi:lo`, or the empty slot where it would go (as −slot − 1). */
function findSlot(table: IdTable, hi: number, lo: number): number {
  let i = lo & table.mask;
  // The table is never more than half full, so a probe run ends long before this bound.
  for (let probes = 0; probes < table.size; probes++) {
    if (table.record[i] === -1) return -i - 1;
    if (table.lo[i] === lo && table.hi[i] === hi) return i;
    i = (i + 1) & table.mask;
  }
  throw new Error("feedback store: the hash table has no free slot left (an internal error)");
}

/** Empties a slot, shifting later entries of its probe run back so lookups stay correct. */
function removeSlot(table: IdTable, slot: number): void {
  const { mask, hi, lo, record } = table;
  let hole = slot;
  let i = slot;
  for (;;) {
    i = (i + 1) & mask;
    if (record[i] === -1) break;
    const home = lo[i]! & mask;
    // Entry i may fill the hole unless its home lies cyclically in (hole, i].
    const stays = hole <= i ? home > hole && home <= i : home > hole || home <= i;
    if (stays) continue;
    hi[hole] = hi[i]!;
    lo[hole] = lo[i]!;
    record[hole] = record[i]!;
    hole = i;
  }
  record[hole] = -1;
}

/**
 * The ring of records (one per remembered request) and the ring of their
 * predicted rows, in typed arrays, with the few counters that move them.
 */
interface Rings {
  readonly capacity: number;
  readonly rowCapacity: number;
  readonly hi: Uint32Array;
  readonly lo: Uint32Array;
  readonly start: Int32Array;
  readonly rows: Int32Array;
  readonly digest: Int32Array;
  readonly live: Uint8Array;
  /** A label is a number, or (flag set) the code of an interned string. */
  readonly rowValue: Float64Array;
  readonly rowIsText: Uint8Array;
  oldest: number;
  records: number;
  liveRecords: number;
  firstRow: number;
  rowsUsed: number;
}

function createRings(capacity: number, rowCapacity: number): Rings {
  return {
    capacity,
    rowCapacity,
    hi: new Uint32Array(capacity),
    lo: new Uint32Array(capacity),
    start: new Int32Array(capacity),
    rows: new Int32Array(capacity),
    digest: new Int32Array(capacity),
    live: new Uint8Array(capacity),
    rowValue: new Float64Array(rowCapacity),
    rowIsText: new Uint8Array(rowCapacity),
    oldest: 0,
    records: 0,
    liveRecords: 0,
    firstRow: 0,
    rowsUsed: 0,
  };
}

/** Unlinks a record from the table; its rows stay until the ring passes them. */
function forget(table: IdTable, rings: Rings, record: number): void {
  if (rings.live[record] === 0) return;
  const slot = findSlot(table, rings.hi[record]!, rings.lo[record]!);
  if (slot >= 0 && table.record[slot] === record) removeSlot(table, slot);
  rings.live[record] = 0;
  rings.liveRecords--;
}

function dropOldest(table: IdTable, rings: Rings): void {
  const oldest = rings.oldest;
  forget(table, rings, oldest);
  rings.firstRow = (rings.firstRow + rings.rows[oldest]!) % rings.rowCapacity;
  rings.rowsUsed -= rings.rows[oldest]!;
  rings.oldest = (oldest + 1) % rings.capacity;
  rings.records--;
}

/** Appends a record and its rows, dropping the oldest until both fit; returns its index. */
function appendRecord(
  table: IdTable,
  rings: Rings,
  labels: readonly (string | number)[],
  digest: number,
  labelTexts: ReturnType<typeof createInterner>,
): number {
  const n = labels.length;
  while (rings.records === rings.capacity || rings.rowsUsed + n > rings.rowCapacity) dropOldest(table, rings);
  const index = (rings.oldest + rings.records) % rings.capacity;
  const start = (rings.firstRow + rings.rowsUsed) % rings.rowCapacity;
  for (let r = 0; r < n; r++) {
    const label = labels[r]!;
    const at = (start + r) % rings.rowCapacity;
    if (typeof label === "number") {
      rings.rowValue[at] = label;
      rings.rowIsText[at] = 0;
    } else {
      rings.rowValue[at] = labelTexts.code(label);
      rings.rowIsText[at] = 1;
    }
  }
  rings.start[index] = start;
  rings.rows[index] = n;
  rings.digest[index] = digest;
  rings.live[index] = 1;
  rings.records++;
  rings.rowsUsed += n;
  rings.liveRecords++;
  return index;
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
  const table = createIdTable(capacity);
  const rings = createRings(capacity, rowCapacity);
  const digests = createInterner();
  const labelTexts = createInterner();
  const key = new Uint32Array(2);

  return {
    remember(requestId, record) {
      hashId(requestId, key);
      const hi = key[0]!;
      const lo = key[1]!;
      const existing = findSlot(table, hi, lo);
      if (existing >= 0) forget(table, rings, table.record[existing]!);
      if (record.labels.length > rowCapacity) return;
      const index = appendRecord(table, rings, record.labels, digests.code(record.digest), labelTexts);
      rings.hi[index] = hi;
      rings.lo[index] = lo;
      const slot = -findSlot(table, hi, lo) - 1;
      table.hi[slot] = hi;
      table.lo[slot] = lo;
      table.record[slot] = index;
    },
    take(requestId) {
      hashId(requestId, key);
      const slot = findSlot(table, key[0]!, key[1]!);
      if (slot < 0) return undefined;
      const index = table.record[slot]!;
      const labels: (string | number)[] = new Array<string | number>(rings.rows[index]!);
      for (let r = 0; r < labels.length; r++) {
        const at = (rings.start[index]! + r) % rowCapacity;
        labels[r] = rings.rowIsText[at] === 1 ? labelTexts.text(rings.rowValue[at]!) : rings.rowValue[at]!;
      }
      forget(table, rings, index);
      return { digest: digests.text(rings.digest[index]!), labels };
    },
    get size() {
      return rings.liveRecords;
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
