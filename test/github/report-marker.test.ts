/** The Action's report marker carries the model reference machine-readably. */
import { describe, expect, it } from "vitest";
import {
  findLatestReportMarker,
  parseReportMarkers,
  renderReportMarker,
} from "../../src/github/report-marker.js";

const ref = (c: string) => `churn:v3@sha256:${c.repeat(64)}`;

describe("report marker", () => {
  it("renders the documented format", () => {
    expect(
      renderReportMarker({ pipeline: "churn", ref: ref("a"), gatesPassed: true, metrics: { auc: 0.91 } }),
    ).toBe(
      `<!-- meta-controller:report pipeline=churn ref=churn%3Av3%40sha256%3A${"a".repeat(64)} gates=passed metrics=auc:0.91 -->`,
    );
  });

  it.each([
    { name: "plain", marker: { pipeline: "churn", ref: ref("a") } },
    {
      name: "with gates and metrics",
      marker: { pipeline: "churn", ref: ref("b"), gatesPassed: false, metrics: { auc: 0.5, f1: 0.25 } },
    },
    {
      name: "a pipeline name that tries to close the comment",
      marker: { pipeline: "x --> <b>", ref: ref("c") },
    },
  ])("round-trips $name", ({ marker }) => {
    const body = `## Report\n\n${renderReportMarker(marker)}\n\ntext`;
    expect(parseReportMarkers(body)).toEqual([marker]);
    expect(body.indexOf("-->")).toBe(body.lastIndexOf("-->"));
  });

  it.each([
    {
      name: "a reference without digest",
      body: "<!-- meta-controller:report pipeline=churn ref=churn%3Av3 -->",
    },
    { name: "no pipeline", body: `<!-- meta-controller:report ref=${encodeURIComponent(ref("a"))} -->` },
    { name: "bad percent-encoding", body: "<!-- meta-controller:report pipeline=%E0%A4%A ref=x -->" },
  ])("ignores a marker with $name", ({ body }) => {
    expect(parseReportMarkers(body)).toEqual([]);
  });

  it("takes the newest report, optionally of one pipeline", () => {
    const bodies = [
      renderReportMarker({ pipeline: "churn", ref: ref("a") }),
      "a human comment",
      renderReportMarker({ pipeline: "other", ref: ref("b") }),
    ];
    expect(findLatestReportMarker(bodies)?.ref).toBe(ref("b"));
    expect(findLatestReportMarker(bodies, "churn")?.ref).toBe(ref("a"));
    expect(findLatestReportMarker(["nothing"])).toBeUndefined();
  });
});
