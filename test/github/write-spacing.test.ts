import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createSpacedGroup, hasWritePriority, withPriorityWrites } from "../../src/github/write-spacing.js";

describe("spaced GitHub writes with priority", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("starts jobs one spacing apart, in order", async () => {
    const group = createSpacedGroup(1000);
    const starts: [string, number][] = [];
    const t0 = Date.now();
    const jobs = ["a", "b", "c"].map((name) =>
      group.key("x").schedule({}, () => {
        starts.push([name, Date.now() - t0]);
        return Promise.resolve(name);
      }),
    );
    await vi.runAllTimersAsync();
    expect(await Promise.all(jobs)).toEqual(["a", "b", "c"]);
    expect(starts).toEqual([
      ["a", 0],
      ["b", 1000],
      ["c", 2000],
    ]);
  });

  it("lets a priority write take the next slot ahead of ordinary writes queued before it", async () => {
    const group = createSpacedGroup(1000);
    const order: string[] = [];
    const job = (name: string) => () => {
      order.push(name);
      return Promise.resolve();
    };
    const lane = group.key("x");
    const waits = [lane.schedule({}, job("bookkeeping-1")), lane.schedule({}, job("bookkeeping-2"))];
    // The priority write arrives while the first ordinary one holds the slot.
    await vi.advanceTimersByTimeAsync(100);
    waits.push(withPriorityWrites(() => lane.schedule({}, job("rollback-branch"))));
    waits.push(lane.schedule({ priority: 0, weight: 0 }, job("retry")));
    waits.push(withPriorityWrites(() => lane.schedule(job("rollback-file"))));
    await vi.runAllTimersAsync();
    await Promise.all(waits);
    expect(order).toEqual(["bookkeeping-1", "rollback-branch", "retry", "rollback-file", "bookkeeping-2"]);
  });

  it("keeps lanes of different ids apart and the priority flag inside its scope only", async () => {
    const group = createSpacedGroup(1000);
    const starts: string[] = [];
    const t0 = Date.now();
    const one = group.key("one").schedule({}, () => starts.push(`one@${Date.now() - t0}`));
    const two = group.key("two").schedule({}, () => starts.push(`two@${Date.now() - t0}`));
    await vi.runAllTimersAsync();
    await Promise.all([one, two]);
    expect(starts).toEqual(["one@0", "two@0"]);
    expect(hasWritePriority()).toBe(false);
    expect(
      await withPriorityWrites(async () => {
        await Promise.resolve();
        return hasWritePriority();
      }),
    ).toBe(true);
  });

  it("passes a job's failure to its caller and goes on with the next", async () => {
    const group = createSpacedGroup(10);
    const lane = group.key();
    const failed = lane.schedule({}, () => {
      throw new Error("boom");
    });
    const next = lane.schedule({}, () => Promise.resolve("after"));
    const failure = expect(failed).rejects.toThrow("boom");
    await vi.runAllTimersAsync();
    await failure;
    await expect(next).resolves.toBe("after");
  });
});
