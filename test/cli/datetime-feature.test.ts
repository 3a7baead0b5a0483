/**
 * `datetime_features`: a date column becomes year, month, day of week and
 * hour, through the built CLI (train, validate --data, evaluate) and the
 * real server, which derives the parts from the date a request sends.
 * Reference: 2026-12-07 is a Monday (day_of_week 0, as pandas' dayofweek).
 */
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dateTimePart, parseDateTime } from "../../src/features/datetime.js";
import { createRandom } from "../../src/common/random.js";
import { createGitRepo } from "../helpers/fake-github-git.js";
import { runCli, startServerProcess, type ServerProcess } from "../helpers/processes.js";
import { environmentYaml } from "../serve/model-fixture.js";

const PIPELINE = `name: visits
data_processing:
  data_source: { type: csv, path: data.csv }
  feature_engineering:
    numeric_features: [amount]
    datetime_features: [seen_at]
model_training:
  model_type: random_forest
  target_column: late
  params: { n_estimators: 20, max_depth: 4 }
`;

/** Visits whose label is "in the afternoon" (UTC), with some dates missing and some with offsets. */
function buildCsv(bad?: { row: number; text: string }): string {
  const random = createRandom(5);
  const lines = ["amount,seen_at,late"];
  for (let i = 0; i < 400; i++) {
    const day = 1 + (i % 28);
    const hour = Math.floor(random.next() * 24);
    const stamp = `2026-03-${String(day).padStart(2, "0")}T${String(hour).padStart(2, "0")}:15:00Z`;
    const text = bad?.row === i ? bad.text : i % 37 === 0 ? "" : stamp;
    lines.push(`${(random.next() * 100).toFixed(2)},${text},${hour >= 12 ? 1 : 0}`);
  }
  return `${lines.join("\n")}\n`;
}

describe("dates and their parts", () => {
  it("parses ISO 8601 dates in UTC, applying offsets, and refuses what is not a date", () => {
    const monday = parseDateTime("2026-12-07")!;
    expect(["year", "month", "day_of_week", "hour"].map((p) => dateTimePart(monday, p as never))).toEqual([
      2026, 12, 0, 0,
    ]);
    // 23:30 at -02:00 is 01:30 on Tuesday in UTC.
    const late = parseDateTime("2026-12-07T23:30:00-02:00")!;
    expect([dateTimePart(late, "day_of_week"), dateTimePart(late, "hour")]).toEqual([1, 1]);
    expect(parseDateTime("2026-12-07 10:30:15.250Z")).toBe(Date.UTC(2026, 11, 7, 10, 30, 15));
    for (const text of ["2026-02-30", "2026-12-07T24:00", "07/12/2026", "yesterday", "2026-1-7"])
      expect(parseDateTime(text), text).toBeUndefined();
  });
});

describe("a model with a datetime feature", () => {
  let root: string;
  let registry: string;
  let server: ServerProcess;
  let pinned: string;

  beforeAll(async () => {
    root = await createGitRepo({ "data.csv": buildCsv(), "p.yaml": PIPELINE });
    registry = await mkdtemp(join(tmpdir(), "mc-datetime-"));
    const trained = await runCli(["train", "p.yaml", "--json", "--registry", registry], {
      cwd: root,
      timeoutMs: 180_000,
    });
    expect(trained.code, trained.stderr).toBe(0);
    pinned = (JSON.parse(trained.stdout) as { model: { pinned_ref: string } }).model.pinned_ref;
    const env = join(root, "staging.yaml");
    await writeFile(env, environmentYaml({ model: "visits", registry, stable: pinned }));
    server = await startServerProcess(["--env", env, "--root", root]);
  }, 240_000);

  afterAll(async () => {
    await server?.stop();
  });

  it("records each part's datetime column in the card, and learns from the hour", async () => {
    const pulled = await runCli(
      ["registry", "pull", pinned, "--registry", registry, "--out", join(root, "out")],
      {
        cwd: root,
      },
    );
    expect(pulled.code, pulled.stderr).toBe(0);
    const card = JSON.parse(await readFile(join(root, "out", "model-card.json"), "utf8")) as {
      features: { name: string; type: string; derived_from?: { column: string; part: string } }[];
      metrics: Record<string, number>;
    };
    expect(card.features).toEqual([
      { name: "amount", type: "numeric" },
      { name: "seen_at__year", type: "numeric", derived_from: { column: "seen_at", part: "year" } },
      { name: "seen_at__month", type: "numeric", derived_from: { column: "seen_at", part: "month" } },
      {
        name: "seen_at__day_of_week",
        type: "numeric",
        derived_from: { column: "seen_at", part: "day_of_week" },
      },
      { name: "seen_at__hour", type: "numeric", derived_from: { column: "seen_at", part: "hour" } },
    ]);
    expect(card.metrics.accuracy).toBeGreaterThan(0.9);
  });

  it("serves requests that send the date (v1 and v2) as it scores the parts", async () => {
    const predictV1 = async (instance: Record<string, unknown>) => {
      const response = await fetch(`${server.url}/v1/models/visits:predict`, {
        method: "POST",
        body: JSON.stringify({ instances: [instance] }),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const afternoon = await predictV1({ amount: 10, seen_at: "2026-12-07T15:00:00+01:00" });
    const parts = await predictV1({
      amount: 10,
      seen_at__year: 2026,
      seen_at__month: 12,
      seen_at__day_of_week: 0,
      seen_at__hour: 14,
    });
    const morning = await predictV1({ amount: 10, seen_at: "2026-12-07T06:00:00Z" });
    const missing = await predictV1({ amount: 10, seen_at: null });
    const wrong = await predictV1({ amount: 10, seen_at: "07/12/2026" });
    const v2 = await fetch(`${server.url}/v2/models/visits/infer`, {
      method: "POST",
      body: JSON.stringify({
        inputs: [
          { name: "amount", shape: [2], datatype: "FP32", data: [10, 10] },
          {
            name: "seen_at",
            shape: [2],
            datatype: "BYTES",
            data: ["2026-12-07T15:00:00+01:00", "2026-12-07T06:00:00Z"],
          },
        ],
      }),
    });
    const v2Body = (await v2.json()) as { outputs: { name: string; data: number[] }[] };
    const meta = (await (await fetch(`${server.url}/v2/models/visits`)).json()) as {
      inputs: { name: string }[];
    };

    expect(afternoon).toEqual(parts);
    expect(afternoon.body.predictions).toEqual([1]);
    expect(morning.body.predictions).toEqual([0]);
    expect(missing.status).toBe(200);
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toContain("instances[0].seen_at: expected an ISO 8601 date");
    expect(v2.status).toBe(200);
    expect(v2Body.outputs.find((o) => o.name === "label")!.data).toEqual([1, 0]);
    expect(meta.inputs.map((i) => i.name)).toEqual(["amount", "seen_at"]);
  });

  it("re-evaluates on a CSV of raw dates, as trained", async () => {
    const evaluated = await runCli(
      ["evaluate", pinned, "--registry", registry, "--data", "data.csv", "--json"],
      { cwd: root, timeoutMs: 120_000 },
    );
    expect(evaluated.code, evaluated.stderr).toBe(0);
    expect(evaluated.stdout).toContain('"rows"');
  });

  it("compares a CSV of raw dates with the model's profile of the parts", async () => {
    const drift = await runCli(
      [
        "drift",
        "--reference",
        pinned,
        "--current",
        "data.csv",
        "--registry",
        registry,
        "--pipeline",
        "p.yaml",
        "--json",
      ],
      { cwd: root, timeoutMs: 120_000 },
    );
    expect(drift.code, drift.stderr).toBe(0);
    const report = JSON.parse(drift.stdout) as {
      drift: boolean;
      features: { name: string; drift: boolean }[];
    };
    expect(report.features.map((f) => f.name).sort()).toEqual(
      ["amount", "seen_at__day_of_week", "seen_at__hour", "seen_at__month", "seen_at__year"].sort(),
    );
    // The training data against its own profile: nothing drifted.
    expect(report.features.filter((f) => f.drift)).toEqual([]);
    expect(report.drift).toBe(false);
  });
});

describe("text that is not a date", () => {
  it("fails train naming the row and value, and validate --data at the feature's line", async () => {
    const root = await createGitRepo({
      "data.csv": buildCsv({ row: 41, text: "yesterday" }),
      "p.yaml": PIPELINE,
    });
    const registry = await mkdtemp(join(tmpdir(), "mc-datetime-bad-"));

    const trained = await runCli(["train", "p.yaml", "--registry", registry], {
      cwd: root,
      timeoutMs: 120_000,
    });
    const validated = await runCli(["validate", "--data", "p.yaml"], { cwd: root });

    expect(trained.code).not.toBe(0);
    expect(trained.stderr).toContain('datetime feature "seen_at" holds "yesterday" at data row 42');
    expect(validated.code).toBe(1);
    expect(validated.stdout).toMatch(
      /p\.yaml:6:\d+: data_processing\.feature_engineering\.datetime_features\.0: .*"yesterday"/,
    );
  });
});
