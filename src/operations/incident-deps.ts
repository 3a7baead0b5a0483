/** What incident handling needs, and what it reports. */
import type { Logger } from "../common/logger.js";
import type { DecisionLogStore } from "../decision/decision-log-store.js";
import type { IncidentPolicy, PolicyDecision } from "../decision/incident-policy.js";
import type { RepoPorts } from "../github/ports.js";
import type { IncidentMemory, OutcomeSink } from "./incident-memory.js";

/** What the handler needs. */
export interface IncidentDeps {
  readonly ports: RepoPorts;
  /** The repository's decision log, when the bot keeps it there. */
  readonly decisionLog?: DecisionLogStore;
  readonly policy: IncidentPolicy;
  readonly memory: IncidentMemory;
  readonly outcomes: OutcomeSink;
  readonly now: () => Date;
  readonly log: Logger;
  /**
   * Takes what only records an incident (decision-log line, hold and log
   * notes) to run after the handler returns, so the environment's next
   * incident need not wait for it; run inline when absent.
   */
  readonly defer?: (work: () => Promise<void>) => void;
  /** The notice is replayed (accepted before a restart): a half-made rollback is finished. */
  readonly replayed?: boolean;
}

/** What was done, for logs and tests. */
export interface IncidentResult {
  readonly decision: PolicyDecision | undefined;
  readonly link: string | undefined;
  readonly detail: string;
}
