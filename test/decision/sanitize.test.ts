import { describe, expect, it } from "vitest";
import { redactSecrets } from "../../src/decision/redact.js";
import { renderDiagnosisMarkdown } from "../../src/decision/render-diagnosis.js";
import { sanitizeForGitHub } from "../../src/decision/sanitize.js";
import { buildTemplateDiagnosis } from "../../src/decision/template-diagnosis.js";
import { makeIncident } from "./incidents.js";

const opts = { allowedHosts: ["github.com", "ghcr.io"] };

describe("sanitizeForGitHub", () => {
  it.each([
    ["plain words stay readable", "error rate high", "error rate high"],
    ["markdown punctuation is escaped", "**bold** _it_", "\\*\\*bold\\*\\* \\_it\\_"],
    ["HTML becomes entities", "<b>x</b> & y", "&lt;b&gt;x&lt;∕b&gt; &amp; y"],
    ["a mention goes into a code span", "ping @alice now", "ping `@alice` now"],
    ["a team mention goes into a code span", "@org/team", "`@org/team`"],
    ["an email address is neither a mention nor a mailto link", "mail a@b.io", "mail a@\u200bb\\.io"],
    ["a slash command is broken", "/deploy canary", "∕deploy canary"],
    ["a path keeps its slashes after the first segment", "data/train.csv", "data/train\\.csv"],
    ["newlines collapse to spaces", "a\n# b", "a \\# b"],
    [
      "an allow-listed https link becomes an autolink",
      "see https://github.com/o/r/pull/2.",
      "see <https://github.com/o/r/pull/2>\\.",
    ],
    [
      "an allow-listed host over http is removed",
      "http://github.com/x",
      "(link to github\\[\\.\\]com removed)",
    ],
    [
      "another host is removed and defanged",
      "https://evil.example/a?b=c",
      "(link to evil\\[\\.\\]example removed)",
    ],
    [
      "a subdomain is not implied",
      "https://api.github.com/x",
      "(link to api\\[\\.\\]github\\[\\.\\]com removed)",
    ],
    ["invisible characters are dropped", "a\u200bb\u202ec", "abc"],
    ["secrets are redacted", "token=abcdef123456", "token\\=\\[REDACTED\\]"],
  ])("%s", (_name, input, expected) => {
    expect(sanitizeForGitHub(input, opts)).toBe(expected);
  });

  it.each([10, 100, 1000])("caps the text at %i characters before escaping", (max) => {
    const out = sanitizeForGitHub("word ".repeat(2000), { ...opts, maxLength: max });

    expect(out.endsWith("…")).toBe(true);
    expect(out.length).toBeLessThanOrEqual(max + 1);
  });
});

describe("redactSecrets", () => {
  it.each([
    ["GitHub classic token", "ghp_0123456789abcdefghijABCDEFGHIJ012345", "[REDACTED]"],
    ["GitHub fine-grained token", "github_pat_11ABCDEFG0123456789_abcdefghijklmnop", "[REDACTED]"],
    ["OpenAI key", "key sk-proj-abcdefghijklmnop1234", "key [REDACTED]"],
    ["Slack webhook", "https://hooks.slack.com/services/T000/B000/XXXX", "https://[REDACTED]"],
    ["AWS key id", "AKIAABCDEFGHIJKLMNOP", "[REDACTED]"],
    ["bearer header", "Authorization: Bearer abc.def.ghi-jkl", "Authorization: [REDACTED]"],
    ["URL credentials", "postgres://app:s3cret@db:5432/x", "postgres://[REDACTED]@db:5432/x"],
    ["JSON password", '{"password": "hunter22"}', '{"password": "[REDACTED]"}'],
    ["JWT", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N", "[REDACTED]"],
    ["ordinary words", "token refresh failed after 3 retries", "token refresh failed after 3 retries"],
  ])("%s", (_name, input, expected) => {
    expect(redactSecrets(input)).toBe(expected);
  });
});

describe("renderDiagnosisMarkdown", () => {
  it("renders the template diagnosis with the decision and a hard length cap", () => {
    const incident = makeIncident();
    const diagnosis = buildTemplateDiagnosis(incident, "rollback", "no_api_key");

    const text = renderDiagnosisMarkdown(diagnosis, { allowedHosts: [] });
    const capped = renderDiagnosisMarkdown(
      {
        ...diagnosis,
        probable_causes: Array.from({ length: 5 }, () => ({ cause: "x".repeat(400), evidence_ids: ["m1"] })),
      },
      { allowedHosts: [], maxLength: 900 },
    );

    expect(text).toContain(
      "**Summary:** critical error\\_rate incident on churn in production \\(error\\_rate 0\\.200 vs threshold 0\\.0500\\)",
    );
    expect(text).toContain("**Category:** `model_regression` · **Suggested:** `rollback`");
    expect(text).toContain(
      "1. An elevated error rate began shortly after a deploy; the new model is the first suspect",
    );
    expect(text).toContain("LLM not used: `no_api_key`");
    expect(capped.length).toBeLessThanOrEqual(900);
    expect(capped).toContain("(more causes cut)");
  });
});
