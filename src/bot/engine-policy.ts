/**
 * The decision engine (src/decision) behind the bot's `IncidentPolicy`:
 * guardrails, the bandit inside them and the LLM advisor's diagnosis. The
 * decision log is JSON lines, kept in memory and, when a path is given,
 * appended to a file so a restarted bot keeps its history.
 */
import { readFile } from "node:fs/promises";
import { createRandom, type Random } from "../common/random.js";
import type { Logger } from "../common/logger.js";
import { appendDecisionLogFile } from "../decision/decision-log-file.js";
import { buildOutcomeRecord, processIncident } from "../decision/process-incident.js";
import { formatLogLine } from "../decision/decision-log.js";
import type { IncidentPolicy } from "./incident-policy.js";

/** Settings of {@link createEnginePolicy}. */
export interface EnginePolicyOptions {
  /** JSONL decision log file; in memory only when absent. */
  readonly logPath?: string;
  /** OpenAI-compatible API key; the template diagnosis is used without one. */
  readonly apiKey: string | undefined;
  readonly seed: number;
  readonly logger: Logger;
}

/** Creates the engine-backed policy. */
export function createEnginePolicy(options: EnginePolicyOptions): IncidentPolicy {
  let logText: string | undefined;
  const random: Random = createRandom(options.seed);
  const load = async (): Promise<string> => {
    if (logText !== undefined) return logText;
    logText = "";
    if (options.logPath) {
      try {
        logText = await readFile(options.logPath, "utf8");
      } catch {
        logText = "";
      }
    }
    return logText;
  };
  const append = async (line: string): Promise<void> => {
    logText = `${await load()}${line.endsWith("\n") ? line : `${line}\n`}`;
  };
  return {
    async decide(incident, context) {
      const processed = await processIncident(incident, {
        ...(context.environment.policy === undefined ? {} : { policySpec: context.environment.policy }),
        logText: await load(),
        logName: options.logPath ?? "decisions.jsonl",
        now: context.now,
        random,
        quarantinedDigests: context.environment.quarantine,
        apiKey: options.apiKey,
        allowedHosts: context.allowedHosts,
        logger: options.logger,
      });
      await append(processed.logLine);
      if (options.logPath) await appendDecisionLogFile(options.logPath, [processed.record]);
      return {
        action: processed.decision.action,
        reason_code: processed.decision.reason_code,
        explanation: processed.diagnosis.summary,
        markdown: processed.markdown,
        requiresHuman: processed.decision.requires_human,
      };
    },
    async recordResolved(fingerprint, at) {
      const record = buildOutcomeRecord({ fingerprint, at, event: "resolved" });
      await append(formatLogLine(record));
      if (options.logPath) await appendDecisionLogFile(options.logPath, [record]);
    },
  };
}
