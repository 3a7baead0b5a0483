/**
 * The state folder's parts one by one: which rollout a new environment
 * continues, the rollout file (round trip, damage), the last-good cache
 * (round trip, damage refused), the event outbox, and the rules for what
 * leaves the outbox and where events may go.
 */
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSilentLogger } from "../../src/common/logger.js";
import type { ServerEvent } from "../../src/deploy/events.js";
import { startRollout, stepRollout, type RolloutPlan, type RolloutState } from "../../src/deploy/rollout.js";
import { openModelRegistry } from "../../src/registry/model-registry.js";
import { parseModelReference } from "../../src/registry/reference.js";
import { openEventOutbox, outboxVerdict } from "../../src/serve/event-outbox.js";
import { checkEventsUrl } from "../../src/serve/events-url.js";
import { openLastGoodCache } from "../../src/serve/last-good-cache.js";
import { decideResumedRollout } from "../../src/serve/rollout-resume.js";
import { openRolloutStore } from "../../src/serve/rollout-store.js";
import { pushTestModel } from "./model-fixture.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "mc-state-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const PLAN: RolloutPlan = { type: "canary", steps: [10, 50, 100], intervalMs: 60_000, maxFailedChecks: 2 };
const A = `sha256:${"a".repeat(64)}`;
const B = `sha256:${"b".repeat(64)}`;
const C = `sha256:${"c".repeat(64)}`;

function aborted(plan: RolloutPlan): RolloutState {
  return stepRollout(startRollout(plan, true, 0).state, { type: "abort", reason: "by hand" }, 5).state;
}

describe("decideResumedRollout", () => {
  const fresh = startRollout(PLAN, true, 100).state;
  const target = { environment: "staging", stable: A, candidate: B, plan: PLAN };

  it.each([
    ["no prior rollout", undefined, target, "new"],
    ["another environment", { environment: "prod", stable: A, candidate: B }, target, "new"],
    ["another candidate", { environment: "staging", stable: A, candidate: C }, target, "new"],
    ["the same models and plan", { environment: "staging", stable: A, candidate: B }, target, "prior"],
  ] as const)("%s → %s rollout", (_name, prior, t, expected) => {
    // Arrange
    const rollout = stepRollout(startRollout(PLAN, true, 0).state, { type: "tick" }, 1).state;

    // Act
    const resumed = decideResumedRollout(prior && { ...prior, rollout }, t, fresh, 200);

    // Assert
    expect(resumed).toBe(expected === "new" ? null : rollout);
  });

  it("keeps an abort when the file changes the stable or the steps around the same candidate", () => {
    // Arrange
    const prior = { environment: "staging", stable: A, candidate: B, rollout: aborted(PLAN) };
    const otherPlan = { ...PLAN, steps: [25, 100] };

    // Act
    const otherFresh = startRollout(otherPlan, true, 100).state;
    const resumed = decideResumedRollout(prior, { ...target, stable: C, plan: otherPlan }, otherFresh, 200);

    // Assert
    expect(resumed).toMatchObject({ phase: "aborted", candidateWeight: 0, plan: otherPlan });
  });

  it("starts over when a progressing canary's plan changes", () => {
    // Arrange
    const prior = { environment: "staging", stable: A, candidate: B, rollout: fresh };

    // Act
    const resumed = decideResumedRollout(
      prior,
      { ...target, plan: { ...PLAN, steps: [5, 100] } },
      fresh,
      200,
    );

    // Assert
    expect(resumed).toBeNull();
  });
});

describe("the rollout file", () => {
  it("reads back what was saved, NaN check values included", () => {
    // Arrange
    const store = openRolloutStore(join(dir, "roundtrip"), createSilentLogger());
    const analysis = {
      status: "fail" as const,
      requests: 10,
      results: [
        {
          check: "latency_p99" as const,
          value: Number.NaN,
          threshold: 5,
          direction: "above" as const,
          passed: false,
        },
      ],
    };
    const rollout = stepRollout(startRollout(PLAN, true, 0).state, { type: "analysis", analysis }, 3).state;

    // Act
    store.save({ environment: "staging", stable: A, candidate: B, rollout });
    const loaded = store.load();

    // Assert
    expect(loaded).toEqual({ environment: "staging", stable: A, candidate: B, rollout });
  });

  it("ignores a damaged file (a new rollout starts) instead of failing", async () => {
    // Arrange
    const folder = join(dir, "damaged");
    const store = openRolloutStore(folder, createSilentLogger());
    store.save({ environment: "staging", stable: A, candidate: B, rollout: aborted(PLAN) });
    await writeFile(store.path, '{"version": 1, "environment": "staging", "rollout": {"phase": "sideways"');

    // Act
    const loaded = store.load();

    // Assert
    expect(loaded).toBeUndefined();
    expect((await readdir(folder)).filter((name) => name.includes(".tmp"))).toEqual([]);
  });
});

describe("the last-good cache", () => {
  it("returns the saved model with every digest checked, and refuses a damaged one", async () => {
    // Arrange
    const registryRoot = join(dir, "registry");
    const pushed = await pushTestModel(registryRoot, "churn", { seed: 3 });
    const pulled = await openModelRegistry({ kind: "local", root: registryRoot }).pull(
      parseModelReference(pushed.pinnedRef),
    );
    const cache = openLastGoodCache(join(dir, "cache"));

    // Act
    const empty = cache.load();
    cache.save(pulled);
    const loaded = cache.load();
    const weights = join(cache.dir, `${pulled.manifest.layers[0]!.digest.slice(7)}.blob`);
    await writeFile(weights, "damaged");
    const damaged = () => openLastGoodCache(join(dir, "cache")).load();

    // Assert
    expect(empty).toBeUndefined();
    expect(loaded?.ref).toBe(`churn@${pushed.digest}`);
    expect(Buffer.from(loaded!.pulled.onnx).equals(Buffer.from(pulled.onnx))).toBe(true);
    expect(damaged).toThrow(/digest mismatch for cached/);
  }, 60_000);
});

function event(id: string, timestamp: string): ServerEvent {
  return {
    id,
    type: "rollout.aborted",
    environment: "staging",
    model: "churn",
    digests: { stable: A, candidate: B },
    evidence: [],
    timestamp,
  };
}

describe("the event outbox", () => {
  it("keeps events until removed, oldest first, and moves a damaged file aside", async () => {
    // Arrange
    const outbox = openEventOutbox(join(dir, "outbox-state"), createSilentLogger());
    outbox.append(event("staging.second", "2026-12-07T10:00:01.000Z"));
    outbox.append(event("staging.first", "2026-12-07T10:00:00.000Z"));
    outbox.append(event("staging.gone", "2026-12-07T10:00:02.000Z"));
    await writeFile(join(outbox.dir, "staging.bad.json"), "{not json");

    // Act
    outbox.remove("staging.gone");
    const pending = openEventOutbox(join(dir, "outbox-state"), createSilentLogger()).pending();

    // Assert
    expect(pending.map((e) => e.id)).toEqual(["staging.first", "staging.second"]);
    expect((await readdir(outbox.dir)).sort()).toEqual([
      ".unreadable-staging.bad.json",
      "staging.first.json",
      "staging.second.json",
    ]);
  });

  it.each([
    [200, "remove"],
    [202, "remove"],
    [400, "remove"],
    [422, "remove"],
    [401, "keep"],
    [403, "keep"],
    [429, "keep"],
    [500, "keep"],
    [0, "keep"],
  ] as const)("after HTTP %i the event is %s", (status, verdict) => {
    expect(outboxVerdict(status)).toBe(verdict);
  });
});

describe("checkEventsUrl", () => {
  it.each([
    "https://bot.example.com/api/alerts",
    "http://127.0.0.1:3000/api/alerts",
    "http://[::1]:80/a",
    "http://localhost/a",
  ])("accepts %s", (url) => {
    expect(checkEventsUrl(url).href).toBe(new URL(url).href);
  });

  it.each([
    [
      "http://example.com/api/alerts",
      /plain http is allowed to a loopback host only.*https:\/\/example\.com\/api\/alerts/,
    ],
    ["http://10.0.0.5/api/alerts", /plain http is allowed to a loopback host only/],
    ["ftp://127.0.0.1/x", /expected an https:\/\/ URL/],
    ["not a url", /not a URL/],
  ])("refuses %s", (url, message) => {
    expect(() => checkEventsUrl(url)).toThrow(message);
  });
});
