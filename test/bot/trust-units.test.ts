/**
 * The pure parts of the trust boundaries: alert credentials and their
 * scope, report markers by author, sealed incident and sticky markers.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readAlertCredentials, scopeRefusal, singleCredentials } from "../../src/bot/alert-credentials.js";
import type { AlertNotice } from "../../src/bot/alert-payloads.js";
import { UsageError } from "../../src/common/errors.js";
import { deriveMarkerKey } from "../../src/github/marker-trust.js";
import {
  findTrustedReportMarker,
  readReportAuthors,
  renderReportMarker,
} from "../../src/github/report-marker.js";
import { stickyMarker } from "../../src/github/sticky-comment.js";
import { findIncidentMarker, incidentMarker } from "../../src/operations/incident-markers.js";

const TOKEN = "a-token-of-16-chars-or-more";
const notice = (repository: string | undefined, environment: string | undefined) =>
  ({ repository, environment }) as AlertNotice;

describe("ALERT_CREDENTIALS", () => {
  it("reads inline JSON and a file, and names the entry and field of a bad one", async () => {
    const list = [{ token: TOKEN, repositories: ["acme/models"], environments: ["staging"] }];
    expect(readAlertCredentials({ ALERT_CREDENTIALS: JSON.stringify(list) })).toEqual([
      {
        label: "ALERT_CREDENTIALS[0]",
        token: TOKEN,
        repositories: ["acme/models"],
        environments: ["staging"],
      },
    ]);
    const dir = await mkdtemp(join(tmpdir(), "mc-credentials-"));
    try {
      await writeFile(join(dir, "c.json"), JSON.stringify([{ hmac_secret: TOKEN, repositories: ["a/b"] }]));
      expect(readAlertCredentials({ ALERT_CREDENTIALS: join(dir, "c.json") })[0]?.hmacSecret).toBe(TOKEN);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    expect(() =>
      readAlertCredentials({ ALERT_CREDENTIALS: '[{"token": "short", "repositories": ["a/b"]}]' }),
    ).toThrow(/ALERT_CREDENTIALS: entry 0\.token/);
    expect(() =>
      readAlertCredentials({ ALERT_CREDENTIALS: JSON.stringify([{ token: TOKEN, repositories: ["*"] }]) }),
    ).toThrow(/entry 0\.repositories\.0: must be owner\/name/);
    expect(() =>
      readAlertCredentials({
        ALERT_CREDENTIALS: JSON.stringify([{ token: TOKEN, hmac_secret: TOKEN, repositories: ["a/b"] }]),
      }),
    ).toThrow(/exactly one of token and hmac_secret/);
    expect(() => readAlertCredentials({ ALERT_CREDENTIALS: "[nope" })).toThrow(UsageError);
  });

  it("binds a single token to the default repository, and matches names exactly", () => {
    const [only] = singleCredentials({ token: TOKEN, defaultRepository: "acme/models" });
    expect(scopeRefusal(only!, [notice(undefined, undefined)], "acme/models")).toBeUndefined();
    expect(scopeRefusal(only!, [notice("acme/models2", undefined)], "acme/models")).toMatch(/acme\/models2/);
    expect(scopeRefusal(only!, [notice("evil/acme/models", undefined)], "acme/models")).toBeDefined();
    const [none] = singleCredentials({ token: TOKEN, defaultRepository: undefined });
    expect(scopeRefusal(none!, [notice(undefined, undefined)], undefined)).toMatch(/"\(none\)"/);
  });

  it("with environments, refuses an alert naming another environment or none", () => {
    const scoped = { label: "x", token: TOKEN, repositories: ["a/b"], environments: ["staging"] };
    expect(scopeRefusal(scoped, [notice("a/b", "staging")], undefined)).toBeUndefined();
    expect(scopeRefusal(scoped, [notice("a/b", "staging-2")], undefined)).toMatch(/staging-2/);
    expect(scopeRefusal(scoped, [notice("a/b", undefined)], undefined)).toMatch(/unnamed/);
  });
});

describe("report markers", () => {
  const ref = (c: string) => `churn:v3@sha256:${c.repeat(64)}`;
  it("count only from the listed authors", () => {
    const comments = [
      { author: "github-actions[bot]", body: renderReportMarker({ pipeline: "churn", ref: ref("a") }) },
      { author: "reader", body: renderReportMarker({ pipeline: "churn", ref: ref("b") }) },
    ];
    expect(findTrustedReportMarker(comments, ["github-actions[bot]"])?.ref).toBe(ref("a"));
    expect(findTrustedReportMarker(comments, ["someone-else"])).toBeUndefined();
    expect(readReportAuthors({})).toEqual(["github-actions[bot]"]);
    expect(readReportAuthors({ REPORT_AUTHORS: " ci-bot[bot], release-user " })).toEqual([
      "ci-bot[bot]",
      "release-user",
    ]);
  });
});

describe("sealed markers", () => {
  const key = deriveMarkerKey(undefined, "webhook-secret");

  it("an incident marker is found only with its seal, the first forged one skipped", () => {
    const real = incidentMarker("fp-1", "d-1", key);
    const forged = "<!-- meta-controller:incident fingerprint=fp-evil decision=d-evil -->";
    const otherKey = incidentMarker("fp-evil", "d-evil", "another key");
    const tampered = real.replace("decision=d-1", "decision=d-2");

    expect(findIncidentMarker(`${forged}\n${otherKey}\n${tampered}\n${real}`, key)).toEqual({
      fingerprint: "fp-1",
      decisionId: "d-1",
    });
    expect(findIncidentMarker(`${forged}\n${otherKey}`, key)).toBeUndefined();
    expect(findIncidentMarker(real, undefined)).toBeUndefined();
  });

  it("MARKER_SECRET wins over the key derived from the webhook secret", () => {
    expect(deriveMarkerKey("marker", "webhook")).toBe("marker");
    expect(deriveMarkerKey(undefined, "webhook")).not.toBe("webhook");
    expect(stickyMarker("diagnosis:staging", key)).toMatch(
      /^<!-- meta-controller:sticky diagnosis%3Astaging seal=[a-f0-9]{32} -->$/,
    );
  });
});
