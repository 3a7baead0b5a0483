/**
 * Sends the labelled set (labelled-alerts.ts) to the bot as a real process
 * — with its default incident policy (the decision engine) and its default
 * decision log (the repository's state branch) — on the fake GitHub, then
 * reads what happened to each case from the repository and the threads:
 * which PR, which digest quarantined, which stable restored, what was said.
 * Shared by the test that holds the targets and the bench that prints them.
 */
import { parse } from "yaml";
import { commitFile } from "../helpers/fake-github-git.js";
import { waitFor } from "../helpers/processes.js";
import { startBotHarness, type BotHarness } from "./bot-harness.js";
import { buildLabelledSet, environmentText, type LabelledCase } from "./labelled-alerts.js";
import { captureServerEvents, type CapturedServerEvents } from "./server-event-capture.js";

/** What the bot did about one case. */
export interface CaseResult {
  readonly case: LabelledCase;
  /** Rollback or abort PRs opened for the case's environment. */
  readonly pulls: number;
  /** Digests added to the quarantine list. */
  readonly quarantined: readonly string[];
  readonly stable: string | null;
  readonly candidate: string | null;
  /** Comments on the environment's tracking issue. */
  readonly notes: number;
}

/** The measures of a run. */
export interface LabelledMeasures {
  readonly cases: number;
  readonly alerts: number;
  readonly positives: number;
  readonly rolledBack: number;
  readonly truePositives: number;
  readonly precision: number;
  readonly recall: number;
  readonly controlActions: readonly string[];
  readonly wrongTargets: readonly string[];
  readonly silentDrops: readonly string[];
  readonly duplicatePulls: readonly string[];
  readonly missed: readonly string[];
  readonly falseAlarms: readonly string[];
}

const digestOf = (ref: unknown) =>
  typeof ref === "string" && ref.includes("@") ? ref.slice(ref.indexOf("@") + 1) : null;

async function commitHistories(repoDir: string, cases: readonly LabelledCase[], now: Date): Promise<void> {
  for (const c of cases) {
    for (const version of c.history) {
      const date = new Date(now.getTime() - version.ageMinutes * 60_000);
      await commitFile(
        repoDir,
        "main",
        `environments/${c.name}.yaml`,
        environmentText(c, version),
        `${c.name}: ${version.stable ?? "none"}`,
        date,
      );
    }
  }
}

function countLines(text: string, message: string): number {
  return text.split("\n").filter((line) => line.includes(`"msg":"${message}"`)).length;
}

/** A server event as servers before `at_fault` sent it (for a bench against an older bot). */
function withoutAtFault(alert: object): object {
  const digests = (alert as { digests?: Record<string, unknown> }).digests;
  if (digests === undefined) return alert;
  const { at_fault: _dropped, ...rest } = digests;
  return { ...alert, digests: rest };
}

async function sendAll(
  bot: BotHarness,
  cases: readonly LabelledCase[],
  legacyEvents: boolean,
): Promise<number> {
  let accepted = 0;
  for (const c of cases) {
    for (const alert of c.alerts) {
      const { status, json } = await bot.postAlert(legacyEvents ? withoutAtFault(alert) : alert);
      if (status !== 202) throw new Error(`${c.name}: alert answered ${status} ${JSON.stringify(json)}`);
      accepted += (json as { accepted: number }).accepted;
    }
  }
  return accepted;
}

async function readCase(bot: BotHarness, c: LabelledCase): Promise<CaseResult> {
  const text = await bot.fake.readFile("main", `environments/${c.name}.yaml`);
  const file = parse(text ?? "") as { stable?: unknown; candidate?: unknown; quarantine?: unknown[] };
  const before = new Set(c.quarantine);
  const quarantine = (file.quarantine ?? []).map(String);
  const issue = bot.fake.issues.find((i) => i.title === `Meta-Controller incidents: ${c.name}`);
  return {
    case: c,
    pulls: bot.fake.pulls.filter((p) => p.head.startsWith(`meta-controller/rollback/${c.name}/`)).length,
    quarantined: quarantine.filter((d) => !before.has(d)),
    stable: digestOf(file.stable),
    candidate: digestOf(file.candidate),
    notes: issue === undefined ? 0 : bot.fake.comments.filter((m) => m.issue === issue.number).length,
  };
}

/** Scores the results against the labels. */
export function measure(results: readonly CaseResult[], alerts: number): LabelledMeasures {
  const acted = (r: CaseResult) => r.pulls > 0;
  const expectsRollback = (r: CaseResult) => r.case.expected.outcome !== "none";
  const positives = results.filter(expectsRollback);
  const rolled = results.filter(acted);
  const tp = rolled.filter(expectsRollback);
  const wrongTargets = rolled.filter((r) => {
    const e = r.case.expected;
    if (e.outcome === "none") return false;
    const targetOk = r.quarantined.length === 1 && r.quarantined[0] === e.quarantine && r.stable === e.stable;
    return !targetOk || (e.outcome === "abort" && r.candidate !== null);
  });
  const name = (r: CaseResult) =>
    `${r.case.name}: ${r.pulls} PR, quarantined [${r.quarantined.join(", ")}], stable ${r.stable}`;
  return {
    cases: results.length,
    alerts,
    positives: positives.length,
    rolledBack: rolled.length,
    truePositives: tp.length,
    precision: rolled.length === 0 ? 1 : tp.length / rolled.length,
    recall: positives.length === 0 ? 1 : tp.length / positives.length,
    controlActions: results
      .filter((r) => r.case.expected.outcome === "none" && r.case.expected.control && acted(r))
      .map(name),
    wrongTargets: wrongTargets.map(name),
    silentDrops: results
      .filter(
        (r) => r.case.expected.outcome === "none" && r.case.expected.visible && !acted(r) && r.notes === 0,
      )
      .map((r) => r.case.name),
    duplicatePulls: results.filter((r) => r.pulls > 1).map(name),
    missed: positives.filter((r) => !acted(r)).map((r) => r.case.name),
    falseAlarms: rolled.filter((r) => !expectsRollback(r)).map(name),
  };
}

/**
 * Runs the whole set through one bot process and measures it. The decision
 * log lives where the bot keeps it by default (the repository's state
 * branch) unless `decisionLog: "file"` asks for the single-process file,
 * which spares the fake GitHub a third of its calls. `legacyEvents` sends
 * server events without `at_fault`, as servers before it did.
 */
export async function runLabelledSet(
  options: { decisionLog?: "file" | "repository"; legacyEvents?: boolean } = {},
): Promise<{ results: CaseResult[]; measures: LabelledMeasures; events: CapturedServerEvents }> {
  const events = await captureServerEvents();
  const now = new Date();
  const cases = buildLabelledSet(now, events);
  const bot = await startBotHarness({
    policy: "engine",
    decisionLog: options.decisionLog ?? "repository",
    logLevel: "info",
    prepareRepository: (dir) => commitHistories(dir, cases, now),
  });
  try {
    const accepted = await sendAll(bot, cases, options.legacyEvents ?? false);
    await waitFor(
      async () => {
        const log = bot.stderr();
        const done =
          countLines(log, "incident handled") +
          countLines(log, "alert handling failed") +
          (await bot.readOutcomes()).length;
        return done >= accepted ? true : undefined;
      },
      { what: `${accepted} notices handled`, timeout: 900_000 },
    );
    const results = await Promise.all(cases.map((c) => readCase(bot, c)));
    const alerts = cases.reduce((sum, c) => sum + c.alerts.length, 0);
    return { results, measures: measure(results, alerts), events };
  } finally {
    await bot.stop();
  }
}
