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
}

/** What was done, for logs and tests. */
export interface IncidentResult {
  readonly decision: PolicyDecision | undefined;
  readonly link: string | undefined;
  readonly detail: string;
}
