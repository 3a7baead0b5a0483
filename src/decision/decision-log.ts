/**
 * The decision log: one JSON object per line (JSONL), appended by whoever
 * decides (the bot, through a commit to the `meta-controller/state` branch;
 * the CLI, to a local file). The policy's state is a pure fold over it, so
 * any replica can rebuild it and the log can be replayed.
 *
 * Format, version 1 (`"v": 1` on every line):
 *
 * - `{"v":1,"type":"decision","id","at","fingerprint","environment","model",
 *   "kind","severity","context":[…],"mask":[…],"baseline_action",
 *   "baseline_estimate","action","propensity","reason_code","policy_version",
 *   "advice"}` — one per decision.
 *   `context` is the feature vector the policy saw (see `context.ts`),
 *   `mask` the allowed actions, `propensity` the probability with which the
 *   policy chose `action`, `baseline_estimate` the learned estimate of the
 *   baseline's reward (null when the bandit is off).
 * - `{"v":1,"type":"outcome","at","fingerprint","decision_id"?,"event",
 *   "detail"?}` — what happened after. `event` is `resolved` (the alert
 *   resolved), `refired` (it fired again without a new decision) or
 *   `human_revert` (`detail`: `rollback_pr_closed_unmerged`, `undo_command`
 *   or `thumbs_down`). Without `decision_id`, an outcome belongs to the
 *   latest decision with the same fingerprint at or before it.
 *
 * Times are RFC 3339 strings. Unknown `type`s are an error rather than
 * skipped, so a newer writer never gets silently misread.
 */
import { z } from "zod";
import { DataError } from "../common/errors.js";
import { ACTIONS, REASON_CODES } from "./actions.js";
import { CONTEXT_DIM } from "./context.js";
import { INCIDENT_KINDS, SEVERITIES } from "./incident.js";

/** Version written on every line. */
export const DECISION_LOG_VERSION = 1;

/** Longest fingerprint a line may carry; longer ones are cut before they reach the log. */
export const FINGERPRINT_MAX = 200;

/**
 * A fingerprint as the log stores it: outside text (alert labels, PR
 * markers) cut to {@link FINGERPRINT_MAX}, so a decision and its outcomes
 * agree on it and no line is refused for its length. Undefined when nothing
 * is left.
 */
export function normalizeFingerprint(text: string): string | undefined {
  const cut = text.trim().slice(0, FINGERPRINT_MAX);
  return cut === "" ? undefined : cut;
}

/** A decision line. */
export const DecisionRecord = z
  .object({
    v: z.literal(DECISION_LOG_VERSION),
    type: z.literal("decision"),
    id: z.string().min(1).max(200),
    at: z.iso.datetime({ offset: true }),
    fingerprint: z.string().min(1).max(FINGERPRINT_MAX),
    environment: z.string().min(1).max(100),
    model: z.string().min(1).max(200),
    kind: z.enum(INCIDENT_KINDS),
    severity: z.enum(SEVERITIES),
    context: z.array(z.number().finite()).length(CONTEXT_DIM),
    mask: z.array(z.enum(ACTIONS)).min(1),
    baseline_action: z.enum(ACTIONS),
    baseline_estimate: z.number().finite().nullable(),
    action: z.enum(ACTIONS),
    propensity: z.number().gt(0).max(1),
    reason_code: z.enum(REASON_CODES),
    policy_version: z.string().min(1).max(200),
    advice: z.enum(ACTIONS).nullable(),
    /** What the policy proposed when the action taken was narrower (retrain proposed, a person told). */
    proposed_action: z.enum(ACTIONS).optional(),
  })
  .strict()
  .refine((r) => r.mask.includes(r.action), { message: "action is not in the mask", path: ["action"] })
  .refine((r) => r.mask.includes(r.baseline_action), {
    message: "baseline_action is not in the mask",
    path: ["baseline_action"],
  });

/** A decision line. */
export type DecisionRecord = z.infer<typeof DecisionRecord>;

/** Events that close or reopen an incident after a decision. */
export const OUTCOME_EVENTS = ["resolved", "refired", "human_revert"] as const;

/** Ways a person reverts an automated action. */
export const REVERT_DETAILS = ["rollback_pr_closed_unmerged", "undo_command", "thumbs_down"] as const;

/** An outcome line. */
export const OutcomeRecord = z
  .object({
    v: z.literal(DECISION_LOG_VERSION),
    type: z.literal("outcome"),
    at: z.iso.datetime({ offset: true }),
    fingerprint: z.string().min(1).max(FINGERPRINT_MAX),
    decision_id: z.string().min(1).max(200).optional(),
    event: z.enum(OUTCOME_EVENTS),
    detail: z.enum(REVERT_DETAILS).optional(),
  })
  .strict();

/** An outcome line. */
export type OutcomeRecord = z.infer<typeof OutcomeRecord>;

/** Any line of the log. */
export type LogRecord = DecisionRecord | OutcomeRecord;

const LineType = z.object({ type: z.enum(["decision", "outcome"]) });

/**
 * Parses JSONL text into records. Blank lines are skipped; anything else
 * that is not a valid record is a {@link DataError} naming the file, line and
 * field.
 */
export function parseDecisionLog(text: string, file = "decisions.jsonl"): LogRecord[] {
  const records: LogRecord[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "") continue;
    records.push(parseDecisionLogLine(line, file, i + 1));
  }
  return records;
}

/** Parses one line; `lineNumber` is 1-based and only used in errors. */
export function parseDecisionLogLine(line: string, file: string, lineNumber: number): LogRecord {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new DataError(`${file}:${lineNumber}: not valid JSON (${(error as Error).message})`, {
      cause: error,
    });
  }
  const kind = LineType.safeParse(value);
  if (!kind.success) {
    throw new DataError(`${file}:${lineNumber}: type: expected "decision" or "outcome"`);
  }
  const parsed =
    kind.data.type === "decision" ? DecisionRecord.safeParse(value) : OutcomeRecord.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join(".");
    throw new DataError(`${file}:${lineNumber}: ${field === "" ? "" : `${field}: `}${issue.message}`);
  }
  return parsed.data;
}

/**
 * Parses JSONL text, skipping lines that are not valid records instead of
 * failing on the first: one bad line must not stop a bot that reads the log
 * before every decision. Each skipped line comes back with its error.
 */
export function parseDecisionLogLenient(
  text: string,
  file = "decisions.jsonl",
): { records: LogRecord[]; skipped: DataError[] } {
  const records: LogRecord[] = [];
  const skipped: DataError[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "") continue;
    try {
      records.push(parseDecisionLogLine(line, file, i + 1));
    } catch (error) {
      if (!(error instanceof DataError)) throw error;
      skipped.push(error);
    }
  }
  return { records, skipped };
}

/**
 * Checks records against the line schemas before they are written, so a
 * store never holds a line that every later read would refuse. Throws a
 * {@link DataError} naming the store, the record and the field.
 */
export function validateLogRecords(records: readonly LogRecord[], store: string): void {
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!;
    const parsed =
      record.type === "decision" ? DecisionRecord.safeParse(record) : OutcomeRecord.safeParse(record);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path.join(".");
      throw new DataError(
        `${store}: refused to append record ${i + 1} (${String(record.type)}): ${field === "" ? "" : `${field}: `}${issue.message}`,
      );
    }
  }
}

/** Serialises one record as a line, newline included, ready to append. */
export function formatLogLine(record: LogRecord): string {
  return `${JSON.stringify(record)}\n`;
}
