/**
 * The hidden marker the Action writes into its sticky PR report comment:
 *
 *   <!-- meta-controller:report pipeline=churn ref=churn:v3@sha256:… gates=passed metrics=auc:0.91,f1:0.8 -->
 *
 * `/deploy` reads the model reference from the latest one. Values are
 * percent-encoded so no value can close the HTML comment.
 */

/** What a report marker carries. */
export interface ReportMarker {
  /** Pipeline name (one report comment per pipeline). */
  readonly pipeline: string;
  /** Model reference `name:vN@sha256:…`. */
  readonly ref: string;
  /** Whether every gate passed. */
  readonly gatesPassed?: boolean;
  /** Headline metrics, name → value. */
  readonly metrics?: Readonly<Record<string, number>>;
}

const PREFIX = "<!-- meta-controller:report ";
const MARKER = /<!-- meta-controller:report ([^>]*?) -->/g;
const REF = /^[a-z0-9][a-z0-9._/-]*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?@sha256:[a-f0-9]{64}$/;

/** Renders the marker line. */
export function renderReportMarker(marker: ReportMarker): string {
  const parts = [`pipeline=${encodeURIComponent(marker.pipeline)}`, `ref=${encodeURIComponent(marker.ref)}`];
  if (marker.gatesPassed !== undefined) parts.push(`gates=${marker.gatesPassed ? "passed" : "failed"}`);
  if (marker.metrics) {
    const metrics = Object.entries(marker.metrics)
      .filter(([, v]) => Number.isFinite(v))
      .map(([k, v]) => `${encodeURIComponent(k)}:${v}`)
      .join(",");
    if (metrics) parts.push(`metrics=${metrics}`);
  }
  return `${PREFIX}${parts.join(" ")} -->`;
}

function parseFields(text: string): ReportMarker | undefined {
  const fields = new Map<string, string>();
  for (const token of text.trim().split(/\s+/)) {
    const eq = token.indexOf("=");
    if (eq <= 0) continue;
    try {
      fields.set(token.slice(0, eq), decodeURIComponent(token.slice(eq + 1)));
    } catch {
      return undefined;
    }
  }
  const pipeline = fields.get("pipeline");
  const ref = fields.get("ref");
  if (!pipeline || !ref || !REF.test(ref)) return undefined;
  const gates = fields.get("gates");
  const metricsText = fields.get("metrics");
  let metrics: Record<string, number> | undefined;
  if (metricsText) {
    metrics = {};
    for (const pair of metricsText.split(",")) {
      const colon = pair.lastIndexOf(":");
      const value = Number(pair.slice(colon + 1));
      if (colon > 0 && Number.isFinite(value)) metrics[pair.slice(0, colon)] = value;
    }
  }
  return {
    pipeline,
    ref,
    ...(gates === "passed" || gates === "failed" ? { gatesPassed: gates === "passed" } : {}),
    ...(metrics ? { metrics } : {}),
  };
}

/** Every valid marker in a comment body, in order. */
export function parseReportMarkers(body: string): ReportMarker[] {
  const found: ReportMarker[] = [];
  for (const match of body.matchAll(MARKER)) {
    const marker = parseFields(match[1] ?? "");
    if (marker) found.push(marker);
  }
  return found;
}

/** The Action's identity on GitHub Actions: the default author of report comments. */
export const DEFAULT_REPORT_AUTHORS: readonly string[] = ["github-actions[bot]"];

/**
 * The logins whose comments carry the Action's report: `REPORT_AUTHORS`
 * (comma-separated), else {@link DEFAULT_REPORT_AUTHORS}. The Action and
 * the bot read the same variable.
 */
export function readReportAuthors(env: NodeJS.ProcessEnv): readonly string[] {
  const listed = (env.REPORT_AUTHORS ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return listed.length > 0 ? listed : DEFAULT_REPORT_AUTHORS;
}

/**
 * The marker of the newest report among comments (oldest first) written by
 * one of `authors` (the identity that runs the Action): anyone can hide a
 * marker in a comment, so no one else's counts.
 */
export function findTrustedReportMarker(
  comments: readonly { readonly body: string; readonly author: string }[],
  authors: readonly string[],
  pipeline?: string,
): ReportMarker | undefined {
  const trusted = comments.filter((c) => authors.includes(c.author)).map((c) => c.body);
  return findLatestReportMarker(trusted, pipeline);
}

/**
 * The marker of the newest report among comments (oldest first, as GitHub
 * lists them), optionally of one pipeline.
 */
export function findLatestReportMarker(
  bodies: readonly string[],
  pipeline?: string,
): ReportMarker | undefined {
  for (let i = bodies.length - 1; i >= 0; i--) {
    const markers = parseReportMarkers(bodies[i]!).filter(
      (m) => pipeline === undefined || m.pipeline === pipeline,
    );
    if (markers.length > 0) return markers[markers.length - 1];
  }
  return undefined;
}
