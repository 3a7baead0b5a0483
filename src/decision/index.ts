/**
 * The decision engine's public surface, for the bot, the CLI and the
 * library: guardrails, the conservative bandit, the LLM advisor with its
 * template fallback, the decision log, offline evaluation and notifying.
 */
export {
  ACTIONS,
  REASON_CODES,
  isAutomatedAction,
  isRollbackAction,
  type Action,
  type ReasonCode,
} from "./actions.js";
export {
  Incident,
  EvidenceItem,
  INCIDENT_KINDS,
  SEVERITIES,
  CANARY_STATES,
  type IncidentKind,
} from "./incident.js";
export { PolicySpec, resolvePolicy, type ResolvedPolicy } from "./policy-spec.js";
export { computeGuardrails, type GuardrailResult } from "./guardrails.js";
export { decide, buildDecisionRecord, type Decision, type DecideOptions } from "./decide.js";
export {
  DecisionRecord,
  OutcomeRecord,
  parseDecisionLog,
  formatLogLine,
  DECISION_LOG_VERSION,
  type LogRecord,
} from "./decision-log.js";
export { foldDecisionLog, computePolicyVersion, type PolicyState } from "./policy-state.js";
export { computeReward } from "./reward.js";
export { evaluatePolicy, type PolicyEvaluation } from "./off-policy.js";
export { adviseIncident, type AdvisorClientOptions } from "./advise.js";
export type { AdvisorInput, ModelLineage } from "./advisor-input.js";
export { type Diagnosis, DIAGNOSIS_CATEGORIES, FALLBACK_REASONS } from "./diagnosis.js";
export { buildTemplateDiagnosis } from "./template-diagnosis.js";
export { renderDiagnosisMarkdown, DIAGNOSIS_MARKER } from "./render-diagnosis.js";
export { sanitizeForGitHub } from "./sanitize.js";
export { redactSecrets } from "./redact.js";
export { sendSlackNotification, NotificationError } from "./notify-slack.js";
export { processIncident, buildOutcomeRecord, type ProcessedIncident } from "./process-incident.js";
export { loadDecisionLogFile, appendDecisionLogFile } from "./decision-log-file.js";
