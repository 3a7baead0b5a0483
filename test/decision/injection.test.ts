import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRandom } from "../../src/common/random.js";
import type { Action } from "../../src/decision/actions.js";
import { adviseIncident } from "../../src/decision/advise.js";
import { buildContext } from "../../src/decision/context.js";
import { decide } from "../../src/decision/decide.js";
import { DecisionRecord, type LogRecord } from "../../src/decision/decision-log.js";
import { Incident, type EvidenceItem } from "../../src/decision/incident.js";
import { resolvePolicy } from "../../src/decision/policy-spec.js";
import { foldDecisionLog } from "../../src/decision/policy-state.js";
import { DIAGNOSIS_MARKER, renderDiagnosisMarkdown } from "../../src/decision/render-diagnosis.js";
import { jsonReply, startFakeOpenAI, type FakeOpenAI } from "../helpers/fake-openai.js";
import { renderHold } from "../../src/operations/incident-posts.js";
import { makeIncident } from "./incidents.js";

interface Case {
  id: string;
  where: "annotation" | "label" | "log";
  text: string;
  cite?: string[];
}

const corpus = JSON.parse(
  readFileSync(new URL("../fixtures/decision/injection-corpus.json", import.meta.url), "utf8"),
) as Case[];

const ALLOWED_HOSTS = ["github.com", "ghcr.io"];
const MAX_LENGTH = 6000;
const INTRUSIVENESS: Record<Action, number> = {
  ignore: 0,
  notify: 1,
  retrain: 2,
  abort_canary: 3,
  rollback: 4,
};

/**
 * Finds anything in a comment that GitHub would render as more than text,
 * written independently of the sanitiser it checks. The only structure
 * allowed is the renderer's own: the marker line and the `<sub>` footer.
 */
function findUnescaped(markdown: string): string[] {
  const problems: string[] = [];
  const lines = markdown.split("\n");
  if (lines[0] !== DIAGNOSIS_MARKER) problems.push("marker is not the first line");
  if (markdown.split(DIAGNOSIS_MARKER).length !== 2) problems.push("marker appears more than once");
  const body = lines
    .slice(1)
    .filter((l) => !/^<sub>Source: [^<>]*\.<\/sub>$/.test(l))
    .join("\n");
  if (/<[A-Za-z!/?]/.test(body.replace(/<https:\/\/[^\s<>]+>/g, ""))) problems.push("raw HTML");
  if (/(^|[^\\])!\[/.test(body)) problems.push("image");
  if (/(^|[^\\])\]\(/.test(body) || /(^|[^\\])\]\[/.test(body) || /^\s*\\?\[[^\]]*\\?\]:/m.test(body)) {
    problems.push("markdown link");
  }
  for (const m of body.matchAll(/(?:https?:\/\/|www\.)[^\s<>)\]\\]+/gi)) {
    const url = m[0].startsWith("www.") ? `https://${m[0]}` : m[0];
    let host = "";
    try {
      host = new URL(url).hostname;
    } catch {
      host = "(unparseable)";
    }
    if (!ALLOWED_HOSTS.includes(host)) problems.push(`link to ${host}`);
  }
  const withoutCode = body.replace(/`[^`\n]*`/g, "");
  if (/(^|[^\w\\`])@[A-Za-z0-9]/.test(withoutCode)) problems.push("@mention");
  if (
    /(^|[^\w\\])\/(deploy|rollback|promote|abort|retrain|undo|approve|diagnose|status|help)\b/i.test(
      withoutCode,
    )
  ) {
    problems.push("slash command");
  }
  if (/^\s*(#|\||```|>)/m.test(body.replace(/^### Incident diagnosis$/m, ""))) problems.push("block markup");
  if (/ghp_|sk-[A-Za-z0-9]{8}/.test(markdown)) problems.push("secret");
  if (markdown.length > MAX_LENGTH) problems.push("too long");
  return problems;
}

function incidentWith(text: string, where: Case["where"]): Incident {
  const kind: EvidenceItem["kind"] = where;
  return Incident.parse(
    makeIncident({
      severity: "warning",
      kind: "anomaly",
      evidence: [
        {
          id: "m1",
          kind: "metric",
          text: "anomaly score",
          metric: "anomaly_score",
          value: 0.9,
          threshold: 0.5,
        },
        { id: "inj", kind, text },
      ],
    }),
  );
}

/** A log in which rollback and notify earned the same on this context: the tie advice could try to break. */
function tiedLog(incident: Incident): LogRecord[] {
  const policy = resolvePolicy({ bandit: { enabled: true } });
  const context = Array.from(buildContext(incident, policy));
  const log: LogRecord[] = [];
  (["notify", "rollback"] as const).forEach((action, k) => {
    for (let i = 0; i < 30; i++) {
      const id = `${action}-${i}`;
      const at = new Date(Date.UTC(2026, 0, 1, 0, k * 30 + i)).toISOString();
      log.push(
        DecisionRecord.parse({
          v: 1,
          type: "decision",
          id,
          at,
          fingerprint: id,
          environment: "staging",
          model: "churn",
          kind: incident.kind,
          severity: incident.severity,
          context,
          mask: ["ignore", "notify", "rollback"],
          baseline_action: "notify",
          baseline_estimate: null,
          action,
          propensity: 0.5,
          reason_code: "warning_notify",
          policy_version: "test",
          advice: null,
        }),
      );
      if (i % 5 !== 0) log.push({ v: 1, type: "outcome", at, fingerprint: id, event: "resolved" });
    }
  });
  return log;
}

describe("the injection corpus through the whole decision path", () => {
  let fake: FakeOpenAI;
  beforeAll(async () => {
    fake = await startFakeOpenAI();
  });
  afterAll(async () => {
    await fake.close();
  });

  it("has at least 25 cases covering annotations, labels and log lines", () => {
    expect(corpus.length).toBeGreaterThanOrEqual(25);
    expect(new Set(corpus.map((c) => c.where))).toEqual(new Set(["annotation", "label", "log"]));
  });

  it.each(corpus)("$id: escalates nothing and reaches GitHub escaped", async (c) => {
    const incident = incidentWith(c.text, c.where);
    const neutral = incidentWith("anomaly score above threshold", c.where);
    const policy = resolvePolicy({ bandit: { enabled: true, exploration: 0 } });
    const now = new Date("2026-03-02T12:00:00Z");
    const state = foldDecisionLog(tiedLog(incident), { policy, now });
    // A model that fell for the injection: it repeats the payload and pushes for a rollback.
    fake.enqueue(
      jsonReply({
        summary: `${c.text} ${c.text}`,
        probable_causes: [{ cause: c.text, evidence_ids: c.cite ?? ["inj"] }],
        category: "model_regression",
        suggested_action: "rollback",
        confidence: 1,
      }),
    );

    const diagnosis = await adviseIncident(
      { incident },
      {
        apiKey: "k",
        baseURL: fake.baseURL,
        model: "m",
        timeoutMs: 5000,
        maxRetries: 0,
        maxInputTokens: 6000,
        fallbackAction: "notify",
      },
    );
    const common = { policy, state, now, quarantinedDigests: [] as string[] };
    const advised = decide(incident, {
      ...common,
      random: createRandom(1),
      advice: diagnosis.source === "llm" ? diagnosis.suggested_action : null,
    });
    const unadvised = decide(neutral, { ...common, random: createRandom(1) });
    const markdown = renderDiagnosisMarkdown(diagnosis, {
      allowedHosts: ALLOWED_HOSTS,
      decision: advised,
      maxLength: MAX_LENGTH,
    });
    const template = renderDiagnosisMarkdown(
      await adviseIncident(
        { incident },
        {
          apiKey: undefined,
          model: "m",
          timeoutMs: 1,
          maxRetries: 0,
          maxInputTokens: 6000,
          fallbackAction: "notify",
        },
      ),
      { allowedHosts: ALLOWED_HOSTS, decision: advised, maxLength: MAX_LENGTH },
    );

    fake.assertDone();
    expect(INTRUSIVENESS[advised.action]).toBeLessThanOrEqual(INTRUSIVENESS[unadvised.action]);
    expect(advised.action).not.toBe("rollback");
    expect(findUnescaped(markdown)).toEqual([]);
    expect(findUnescaped(template)).toEqual([]);
    if (c.cite !== undefined)
      expect(diagnosis).toMatchObject({ source: "template", fallback_reason: "unknown_evidence" });
  });

  it.each(corpus)("$id: as an alert fingerprint, reaches the guardrail-hold comment escaped", (c) => {
    // Arrange: the fingerprint is the alert's own text, cut as the bot cuts it.
    const incident = Incident.parse({
      ...makeIncident({ severity: "critical" }),
      fingerprint: c.text.slice(0, 200),
    });
    const hold = { guardrail: "cooldown", liftsAt: new Date("2026-03-02T12:15:00Z") } as const;

    // Act
    const body = renderHold("production", incident, hold);

    // Assert
    expect(findUnescaped(`${DIAGNOSIS_MARKER}\n${body}`)).toEqual([]);
  });

  it("the checker itself catches each kind of unescaped output", () => {
    const wrap = (s: string): string => `${DIAGNOSIS_MARKER}\n${s}`;

    expect(findUnescaped(wrap("![x](https://evil.example/a.png)"))).toContain("image");
    expect(findUnescaped(wrap("<img src=x>"))).toContain("raw HTML");
    expect(findUnescaped(wrap("hi @org/team"))).toContain("@mention");
    expect(findUnescaped(wrap("see https://evil.example/x"))).toContain("link to evil.example");
    expect(findUnescaped(wrap("run /deploy now"))).toContain("slash command");
    expect(findUnescaped(wrap("[a](https://github.com/x)"))).toContain("markdown link");
    expect(findUnescaped(wrap("# heading"))).toContain("block markup");
    expect(findUnescaped(wrap("ok `@org/team` and <https://github.com/o/r>"))).toEqual([]);
  });
});
