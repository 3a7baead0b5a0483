/**
 * The decision log through the incident handler, against the fake GitHub
 * (a real git repository behind the REST protocol). It never blocks the
 * safety action: the contents API answers 500 on the log's folder, the
 * rollback is opened all the same on the guardrails' baseline, the
 * tracking issue says the log failed, and the kept line is written before
 * the next outcome, which names its decision. And a 👎 counts as a revert
 * only from someone allowed to roll back.
 */
import { rm } from "node:fs/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AlertNotice } from "../../src/bot/alert-payloads.js";
import { createEnginePolicy } from "../../src/decision/engine-policy.js";
import { handleNotice, type IncidentDeps } from "../../src/operations/handle-incident.js";
import { setMarkerTrust } from "../../src/github/marker-trust.js";
import { findIncidentMarker } from "../../src/operations/incident-markers.js";
import { createIncidentMemory } from "../../src/operations/incident-memory.js";
import { createRepositoryDecisionLog } from "../../src/bot/repository-decision-log.js";
import type { Logger } from "../../src/common/logger.js";
import { createOctokitClass } from "../../src/github/octokit-class.js";
import { createRepoPorts } from "../../src/github/rest-ports.js";
import { createStateBranch, STATE_BRANCH } from "../../src/github/state-branch.js";
import { commitFile, createGitRepo } from "../helpers/fake-github-git.js";
import { startFakeGitHub, type FakeGitHub } from "../helpers/fake-github.js";
import { BOT_CONFIG, MODEL, PRODUCTION_V1, PRODUCTION_V2 } from "./bot-harness.js";

const REPO = { owner: "acme", repo: "models" };
const MARKER_KEY = "marker-key-for-tests";
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined } as unknown as Logger;
let fake: FakeGitHub;
let repoDir: string;
let deps: IncidentDeps;

beforeEach(async () => {
  // As the bot does at start: its markers are sealed with its key and read from its own PRs.
  setMarkerTrust({ key: MARKER_KEY, botLogin: () => Promise.resolve("meta-controller[bot]") });
  repoDir = await createGitRepo({
    ".github/meta-controller.yml": BOT_CONFIG,
    "environments/production.yaml": PRODUCTION_V1,
  });
  await commitFile(repoDir, "main", "environments/production.yaml", PRODUCTION_V2, "Promote v2");
  fake = await startFakeGitHub({ repoDir, permissions: { writer: "write", reader: "read" } });
  const res = await fetch(`${fake.url}/api/v3/app/installations/4242/access_tokens`, {
    method: "POST",
    headers: { authorization: "Bearer header.payload.signature" },
  });
  const { token } = (await res.json()) as { token: string };
  const Octokit = createOctokitClass({ retries: 0, spaceWrites: false });
  const octokit = new Octokit({ auth: { token }, baseUrl: fake.apiUrl });
  deps = {
    ports: createRepoPorts(octokit, REPO),
    decisionLog: createRepositoryDecisionLog(
      createStateBranch(octokit, REPO, { sleep: () => Promise.resolve() }),
    ),
    policy: createEnginePolicy({ apiKey: undefined, seed: 1, logger: quiet }),
    memory: createIncidentMemory(),
    outcomes: () => Promise.resolve(),
    now: () => new Date(),
    log: quiet,
  };
});

afterEach(async () => {
  setMarkerTrust(undefined);
  await fake.close();
  await rm(repoDir, { recursive: true, force: true });
});

function notice(status: AlertNotice["status"], startsAt: string): AlertNotice {
  return {
    source: "alertmanager",
    status,
    fingerprint: "fp-outage",
    startsAt,
    endsAt: undefined,
    repository: "acme/models",
    environment: "production",
    model: MODEL,
    severity: "critical",
    kind: "error_rate",
    badDigest: undefined,
    evidence: [
      { id: "m1", kind: "metric", text: "error rate", metric: "error_rate", value: 0.09, threshold: 0.02 },
    ],
    truncated: 0,
    alertName: "ModelErrorRateHigh",
  };
}

describe("a decision log the contents API cannot serve", () => {
  it("still rolls back, says so on the tracking issue, and writes the kept line before the next outcome", async () => {
    // Arrange: the log's folder answers 500 to the read before the decision and to the commit after it.
    fake.addFailures([
      { method: "GET", path: /\/contents\/decisions/, status: 500, times: 1, message: "Server Error" },
      { method: "PUT", path: /\/contents\/decisions/, status: 500, times: 1, message: "Server Error" },
    ]);
    const startsAt = new Date().toISOString();

    // Act
    const fired = await handleNotice(deps, notice("firing", startsAt));
    const logBefore = await fake.readFile(STATE_BRANCH, "decisions");
    await handleNotice(deps, notice("resolved", startsAt));

    // Assert: the rollback PR, whose marker names the decision.
    expect(fired.decision?.action).toBe("rollback");
    const pr = fake.pulls.find((p) => p.head.startsWith("meta-controller/rollback/production/"));
    expect(pr?.merged).toBe(true);
    const marker = findIncidentMarker(pr!.body, MARKER_KEY);
    expect(marker).toEqual({ fingerprint: "fp-outage", decisionId: fired.decision?.decisionId });
    // The tracking issue says what failed.
    const issue = fake.issues.find((i) => i.title === "Meta-Controller incidents: production");
    const notes = fake.comments.filter(
      (c) => c.issue === issue?.number && /decision log failed/.test(c.body),
    );
    expect(notes).toHaveLength(1);
    expect(notes[0]!.body).toMatch(/could not be read \(.*HTTP 500.*\).*guardrails alone/s);
    expect(notes[0]!.body).toMatch(/could not be written to the decision log/);
    // Nothing was written during the outage; afterwards the decision, then its outcome.
    expect(logBefore).toBeUndefined();
    const month = startsAt.slice(0, 7);
    const lines = ((await fake.readFile(STATE_BRANCH, `decisions/${month}.jsonl`)) ?? "")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { type: string; id?: string; decision_id?: string; action?: string });
    expect(lines.map((l) => [l.type, l.action ?? null])).toEqual([
      ["decision", "rollback"],
      ["outcome", null],
    ]);
    expect(lines[1]!.decision_id).toBe(lines[0]!.id);
  });
});

describe("a 👎 on the rollback PR", () => {
  it.each([
    { voters: ["reader", "dependabot[bot]", "stranger"], reverted: false },
    { voters: ["reader", "writer"], reverted: true },
  ])("from $voters is a revert: $reverted", async ({ voters, reverted }) => {
    // Arrange
    const startsAt = new Date().toISOString();
    const fired = await handleNotice(deps, notice("firing", startsAt));
    const pr = fake.pulls.find((p) => p.head.startsWith("meta-controller/rollback/production/"))!;
    for (const user of voters) fake.issueReactions.push({ issue: pr.number, content: "-1", user });

    // Act
    await handleNotice(deps, notice("resolved", startsAt));

    // Assert
    const month = startsAt.slice(0, 7);
    const lines = ((await fake.readFile(STATE_BRANCH, `decisions/${month}.jsonl`)) ?? "")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { type: string; event?: string; decision_id?: string });
    const outcomes = lines.filter((l) => l.type === "outcome").map((l) => [l.event, l.decision_id]);
    const id = fired.decision?.decisionId;
    expect(outcomes).toEqual(
      reverted
        ? [
            ["human_revert", id],
            ["resolved", id],
          ]
        : [["resolved", id]],
    );
  });
});

describe("a proposal the bot narrows before acting", () => {
  it("logs the notify it really did, keeping the retrain the engine proposed, and dispatches nothing", async () => {
    // Arrange: critical drift; the engine's baseline proposes retraining, which only a person starts.
    const startsAt = new Date().toISOString();
    const drift: AlertNotice = {
      ...notice("firing", startsAt),
      kind: "drift",
      fingerprint: "fp-drift",
      alertName: "MetaControllerDriftDetected",
      evidence: [{ id: "a1", kind: "annotation", text: "inputs drifted" }],
    };

    // Act
    const fired = await handleNotice(deps, drift);

    // Assert
    expect(fired.decision?.action).toBe("notify");
    expect(fired.decision?.explanation).toMatch(/a person starts it with `\/retrain`/);
    const lines = ((await fake.readFile(STATE_BRANCH, `decisions/${startsAt.slice(0, 7)}.jsonl`)) ?? "")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toEqual([
      expect.objectContaining({ type: "decision", action: "notify", proposed_action: "retrain" }),
    ]);
    expect(fake.callsTo("POST", /\/dispatches$/)).toEqual([]);
  });
});

describe("an alert whose own values say nothing is wrong", () => {
  it("is not dropped in silence: the tracking issue says why nothing changes, and the log keeps the proposed ignore", async () => {
    // Arrange: a warning whose value is on the healthy side of its threshold.
    const startsAt = new Date().toISOString();
    const healthy: AlertNotice = {
      ...notice("firing", startsAt),
      severity: "warning",
      fingerprint: "fp-healthy",
      evidence: [
        { id: "m1", kind: "metric", text: "error rate", metric: "error_rate", value: 0.004, threshold: 0.02 },
      ],
    };

    // Act
    const fired = await handleNotice(deps, healthy);

    // Assert
    expect(fired.decision?.action).toBe("notify");
    const issue = fake.issues.find((i) => i.title === "Meta-Controller incidents: production");
    const notes = fake.comments.filter((c) => c.issue === issue?.number);
    expect(notes).toHaveLength(1);
    expect(notes[0]!.body).toMatch(/Nothing changes/);
    const lines = ((await fake.readFile(STATE_BRANCH, `decisions/${startsAt.slice(0, 7)}.jsonl`)) ?? "")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toEqual([
      expect.objectContaining({
        type: "decision",
        action: "notify",
        proposed_action: "ignore",
        reason_code: "no_fault_evidence",
      }),
    ]);
    expect(fake.pulls).toEqual([]);
  });
});
