import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createFeedbackStore, sameLabel, type PredictionRecord } from "../../src/serve/feedback.js";

/** The store's contract written plainly: a FIFO queue of records, dead ones still holding their place. */
function createReferenceStore(capacity: number, rowCapacity: number) {
  const queue: { id: string; record: PredictionRecord; live: boolean }[] = [];
  const rows = () => queue.reduce((sum, e) => sum + e.record.labels.length, 0);
  return {
    remember(id: string, record: PredictionRecord) {
      for (const e of queue) if (e.id === id) e.live = false;
      if (record.labels.length > rowCapacity) return;
      while (queue.length === capacity || rows() + record.labels.length > rowCapacity) queue.shift();
      queue.push({ id, record, live: true });
    },
    take(id: string) {
      const e = queue.find((x) => x.id === id && x.live);
      if (e === undefined) return undefined;
      e.live = false;
      return e.record;
    },
    get size() {
      return queue.filter((e) => e.live).length;
    },
  };
}

const record = fc.record({
  digest: fc.constantFrom("sha256:aa", "sha256:bb"),
  labels: fc.array(fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom("yes", "no", "")), {
    maxLength: 5,
  }),
});
const operation = fc.oneof(
  fc.record({ kind: fc.constant("remember" as const), id: fc.integer({ min: 0, max: 40 }), record }),
  fc.record({ kind: fc.constant("take" as const), id: fc.integer({ min: 0, max: 40 }) }),
);

describe("createFeedbackStore", () => {
  it("returns the labels and digest remembered for an id, once", () => {
    const store = createFeedbackStore(10, 100);
    store.remember("req-1", { digest: "sha256:aa", labels: [1, 0, 1] });
    store.remember("req-2", { digest: "sha256:bb", labels: ["churn"] });

    expect(store.take("req-1")).toEqual({ digest: "sha256:aa", labels: [1, 0, 1] });
    expect(store.take("req-1")).toBeUndefined();
    expect(store.take("req-2")).toEqual({ digest: "sha256:bb", labels: ["churn"] });
    expect(store.size).toBe(0);
  });

  it("forgets the oldest predictions first when full of requests", () => {
    const store = createFeedbackStore(3, 100);
    for (const id of ["a", "b", "c", "d"]) store.remember(id, { digest: "sha256:aa", labels: [id] });

    expect(store.take("a")).toBeUndefined();
    expect(store.take("d")).toEqual({ digest: "sha256:aa", labels: ["d"] });
    expect(store.size).toBe(2);
  });

  it("forgets the oldest predictions first when full of rows, and skips a request larger than all rows", () => {
    const store = createFeedbackStore(100, 5);
    store.remember("a", { digest: "sha256:aa", labels: [1, 1, 1] });
    store.remember("b", { digest: "sha256:aa", labels: [0, 0] });
    store.remember("c", { digest: "sha256:aa", labels: [2] });
    store.remember("huge", { digest: "sha256:aa", labels: [1, 2, 3, 4, 5, 6] });

    expect(store.take("a")).toBeUndefined();
    expect(store.take("huge")).toBeUndefined();
    expect(store.take("b")).toEqual({ digest: "sha256:aa", labels: [0, 0] });
    expect(store.take("c")).toEqual({ digest: "sha256:aa", labels: [2] });
  });

  it("keeps only the latest prediction when an id is remembered twice", () => {
    const store = createFeedbackStore(10, 100);
    store.remember("same", { digest: "sha256:aa", labels: [0] });
    store.remember("same", { digest: "sha256:bb", labels: [1] });

    expect(store.take("same")).toEqual({ digest: "sha256:bb", labels: [1] });
    expect(store.take("same")).toBeUndefined();
  });

  it("behaves like a plain FIFO queue under random sequences (small tables force long probe runs)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 20 }),
        fc.array(operation, { minLength: 50, maxLength: 300, size: "max" }),
        (capacity, rowCapacity, operations) => {
          const store = createFeedbackStore(capacity, rowCapacity);
          const reference = createReferenceStore(capacity, rowCapacity);
          for (const op of operations) {
            const id = `request-${op.id}`;
            if (op.kind === "remember") {
              store.remember(id, op.record);
              reference.remember(id, op.record);
            } else {
              expect(store.take(id)).toEqual(reference.take(id));
            }
            expect(store.size).toBe(reference.size);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe("sameLabel", () => {
  it.each([
    [1, 1, true],
    ["1", 1, true],
    [true, "true", true],
    [0, 1, false],
    [null, "null", false],
    [{}, "[object Object]", false],
  ])("sameLabel(%j, %j) is %s", (label, predicted, expected) => {
    expect(sameLabel(label, predicted)).toBe(expected);
  });
});
