/**
 * Alert intake of the bot as a real process: authentication, malformed and
 * oversized bodies, Alertmanager (firing, HA duplicate, repeat, resolved,
 * truncated), Grafana and the server's own events, and the rollback PR that
 * really changes `main`.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rollbackBranch } from "../../src/operations/incident-markers.js";
import { commitFile, git } from "../helpers/fake-github-git.js";
import {
  ALERT_TOKEN,
  D,
  PRODUCTION_V1,
  QA,
  ref,
  STAGING,
  signedAlertHeaders,
  startBotHarness,
  type BotHarness,
} from "./bot-harness.js";
import { waitFor } from "../helpers/processes.js";

const fixture = (name: string) => readFileSync(new URL(`../fixtures/bot/${name}`, import.meta.url), "utf8");

let bot: BotHarness;

beforeAll(async () => {
  bot = await startBotHarness();
});

afterAll(async () => {
  await bot.stop();
});

describe("refused bodies", () => {
  it.each([
    { name: "no credentials", headers: {}, status: 401 },
    { name: "a wrong bearer token", headers: { authorization: "Bearer nope" }, status: 401 },
    {
      name: "a wrong signature",
      headers: signedAlertHeaders("{}", "other"),
      status: 401,
    },
  ])("answers $status to $name", async ({ headers, status }) => {
    const res = await bot.postAlert(fixture("alertmanager-firing.json"), headers);

    expect(res.status).toBe(status);
  });

  it.each([
    { name: "malformed JSON", body: '{"version": "4", ', status: 400, error: /malformed JSON/ },
    { name: "an unknown shape", body: '{"hello": "world"}', status: 400, error: /unrecognised payload/ },
    {
      name: "an Alertmanager payload without alerts",
      body: '{"version": "4", "groupKey": "g", "status": "firing", "receiver": "r"}',
      status: 400,
      error: /Alertmanager payload: alerts/,
    },
    {
      name: "a 5 MB body",
      body: `{"pad": "${"x".repeat(5 * 1024 * 1024)}"}`,
      status: 413,
      error: /larger than/,
    },
  ])("answers $status to $name", async ({ body, status, error }) => {
    const res = await bot.postAlert(body);

    expect(res.status).toBe(status);
    expect((res.json as { error: string }).error).toMatch(error);
  });
});

describe("Alertmanager", () => {
  it("a critical production alert opens one auto-merged rollback PR, even when HA peers send it twice", async () => {
    // Arrange
    const body = fixture("alertmanager-firing.json");

    // Act: two Alertmanager peers deliver the same notification at once.
    const [first, second] = await Promise.all([bot.postAlert(body), bot.postAlert(body)]);

    // Assert
    expect([first.status, second.status]).toEqual([202, 202]);
    expect([first.json, second.json]).toEqual(
      expect.arrayContaining([
        { accepted: 1, duplicates: 0 },
        { accepted: 0, duplicates: 1 },
      ]),
    );
    const branch = rollbackBranch("production", "c8f2a1d93b4e5f60", "2026-11-28T01:00:00.000Z");
    // Labels and the Deployments record follow the merge request: the PR's last writes.
    const pr = await waitFor(() =>
      bot.fake.pulls.find((p) => p.head === branch && p.merged && p.labels.length > 0),
    );
    await waitFor(() => bot.fake.deployments.find((d) => d.ref === branch));
    expect(bot.fake.pulls.filter((p) => p.head.startsWith("meta-controller/rollback/"))).toHaveLength(1);
    expect(pr.autoMerge).toBe("SQUASH");
    expect(pr.labels).toEqual(["meta-controller", "meta-controller:rollback"]);
    expect(pr.body).toContain("value 0.052, threshold 0.01");
    expect(pr.body).toContain("`@everyone` &lt;script&gt;");
    expect(await bot.fake.readFile("main", "environments/production.yaml")).toBe(
      PRODUCTION_V1.replace("quarantine: []", `quarantine: [${D.v2}]`),
    );
    const deployment = bot.fake.deployments.find((d) => d.ref === branch);
    expect(deployment?.environment).toBe("production");
  });

  it("drops a repeat of the same alert", async () => {
    const pulls = bot.fake.pulls.length;

    const res = await bot.postAlert(fixture("alertmanager-firing.json"));

    expect(res).toEqual({ status: 202, json: { accepted: 0, duplicates: 1 } });
    expect(bot.fake.pulls.length).toBe(pulls);
  });

  it("records a resolved notification as the incident's outcome", async () => {
    const res = await bot.postAlert(fixture("alertmanager-resolved.json"));

    expect(res.status).toBe(202);
    const outcomes = await waitFor(async () => {
      const all = await bot.readOutcomes();
      return all.length > 0 ? all : undefined;
    });
    expect(outcomes).toEqual([
      {
        repository: "acme/models",
        environment: "production",
        fingerprint: "c8f2a1d93b4e5f60",
        started_at: "2026-11-28T01:00:00.000Z",
        resolved_at: "2026-11-28T01:20:00.000Z",
        action: "rollback",
        reason_code: "critical_after_deploy",
      },
    ]);
  });

  it("handles a truncated group and says so in the diagnosis", async () => {
    const res = await bot.postAlert(
      fixture("alertmanager-truncated.json"),
      signedAlertHeaders(fixture("alertmanager-truncated.json")),
    );

    expect(res.status).toBe(202);
    const issue = await waitFor(() =>
      bot.fake.issues.find((i) => i.title === "Meta-Controller incidents: staging"),
    );
    const comment = await waitFor(() => bot.fake.comments.find((c) => c.issue === issue.number));
    expect(comment.body).toContain("7 more alerts of this group were truncated");
    expect(comment.body).toContain("**notify** (`warning_notify`)");
  });

  it("treats an existing rollback branch as another replica's work", async () => {
    // Arrange: another replica already created the branch of this incident.
    const body = JSON.parse(fixture("alertmanager-firing.json")) as {
      alerts: { fingerprint: string; startsAt: string; labels: Record<string, string> }[];
    };
    body.alerts[0]!.fingerprint = "0000replica00000";
    body.alerts[0]!.labels.environment = "qa";
    const branch = rollbackBranch("qa", "0000replica00000", body.alerts[0]!.startsAt);
    await git(bot.repoDir, ["branch", branch, "main"]);
    const pulls = bot.fake.pulls.length;

    // Act
    const res = await bot.postAlert(body);

    // Assert
    expect(res.status).toBe(202);
    await waitFor(() => bot.fake.callsTo("POST", /\/git\/refs$/).some((c) => c.status === 422));
    expect(bot.fake.pulls.length).toBe(pulls);
  });
});

describe("Grafana and server events", () => {
  it("a Grafana drift alert gets a diagnosis, not a rollback", async () => {
    const pulls = bot.fake.pulls.length;

    const res = await bot.postAlert(fixture("grafana-firing.json"), {
      authorization: `Bearer ${ALERT_TOKEN}`,
    });

    expect(res).toEqual({ status: 202, json: { accepted: 1, duplicates: 0 } });
    const comment = await waitFor(() => bot.fake.comments.find((c) => c.body.includes("drift (warning)")));
    expect(comment.body).toMatch(/\*\*notify\*\* \(`drift_needs_retrain`\)/);
    expect(comment.body).toContain("value\\:B metric: B \\= 0\\.31");
    expect(bot.fake.pulls.length).toBe(pulls);
  });

  it("a server rollout.aborted event aborts the canary in Git too", async () => {
    const res = await bot.postAlert(fixture("server-rollout-aborted.json"));

    expect(res.status).toBe(202);
    const pr = await waitFor(() =>
      bot.fake.pulls.find((p) => p.head.startsWith("meta-controller/rollback/qa/") && p.merged),
    );
    expect(pr.title).toBe(`Abort qa: quarantine ${"3".repeat(12)}`);
    expect(await bot.fake.readFile("main", "environments/qa.yaml")).toBe(
      QA.replace(`candidate: ${ref("v3", D.v3)} # rolling out`, "candidate: null # rolling out").replace(
        "quarantine: []",
        `quarantine: [${D.v3}]`,
      ),
    );
  });
});

describe("one environment, one queue", () => {
  it("handles two alerts for the default environment one after the other, whether or not they name it", async () => {
    // Arrange: staging (the repository's default) rolls out v3; two alerts blame v3 at once, one
    // naming staging and one naming no environment. Side by side both would see v3 as the
    // candidate and open two aborts; one after the other, the second finds v3 gone.
    await commitFile(
      bot.repoDir,
      "main",
      "environments/staging.yaml",
      STAGING.replace("candidate: null", `candidate: ${ref("v3", D.v3)}`),
      "Deploy v3 to staging",
    );
    const alert = (fingerprint: string, environment: string | undefined) => {
      const body = JSON.parse(fixture("alertmanager-firing.json")) as {
        commonLabels: Record<string, string>;
        groupLabels: Record<string, string>;
        alerts: { fingerprint: string; labels: Record<string, string> }[];
      };
      delete body.commonLabels.environment;
      delete body.groupLabels.environment;
      const only = body.alerts[0]!;
      only.fingerprint = fingerprint;
      only.labels.digest = D.v3;
      if (environment === undefined) delete only.labels.environment;
      else only.labels.environment = environment;
      return JSON.stringify(body);
    };
    const before = bot.fake.pulls.length;

    // Act
    const responses = await Promise.all([
      bot.postAlert(alert("0000queue0named0", "staging")),
      bot.postAlert(alert("0000queue0unnamed", undefined)),
    ]);
    // The second, handled after the first, finds v3 neither stable nor candidate and says so in the log.
    await waitFor(() =>
      bot
        .stderr()
        .split("\n")
        .some((line) => line.includes("alert handling failed") && line.includes("acme/models#staging")),
    );

    // Assert
    expect(responses.map((r) => r.status)).toEqual([202, 202]);
    const aborts = bot.fake.pulls
      .slice(before)
      .filter((p) => p.head.startsWith("meta-controller/rollback/staging/"));
    expect(aborts).toHaveLength(1);
    expect(await bot.fake.readFile("main", "environments/staging.yaml")).toBe(
      STAGING.replace(/quarantine: \[([^\]]*)\]/, `quarantine: [$1, ${D.v3}]`),
    );
  });
});
