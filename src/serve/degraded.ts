/**
 * The server's degraded condition: the environment's stable model could not
 * be loaded at start, so the server serves the last-good model from its
 * cache (or, with nothing cached, nothing: up but not ready). It lasts until
 * an environment applies in full. Reported by `/v2/health/ready`,
 * `GET /v1/rollout`, the `meta_controller_degraded` gauge and a
 * `model.load_failed` event whose evidence `degraded` says what is served.
 */
import type { ServerEvent } from "../deploy/events.js";

/** Why the server is degraded, and what it serves instead. */
export interface DegradedState {
  /** For people: the model that failed, why, and what is served. */
  readonly reason: string;
  /** The stable reference the environment names. */
  readonly wanted: string;
  /** The cached reference served instead; null when nothing is served. */
  readonly serving: string | null;
  readonly since: string;
}

/** The digest of `name@sha256:…`, or null for a tag. */
function digestOf(ref: string | null): string | null {
  return ref === null || !ref.includes("@") ? null : ref.slice(ref.indexOf("@") + 1);
}

/** Builds the condition for a stable `wanted` that failed with `error`, served by `serving` (or nothing). */
export function buildDegradedState(
  wanted: string,
  error: unknown,
  serving: string | null,
  now: Date,
): DegradedState {
  const message = error instanceof Error ? error.message : String(error);
  const instead =
    serving === null
      ? "nothing was cached, so nothing is served (not ready) until a stable model loads"
      : `serving the cached last-good model ${serving} instead`;
  return {
    reason: `stable ${wanted} could not be loaded (${message.slice(0, 2000)}); ${instead}`,
    wanted,
    serving,
    since: now.toISOString(),
  };
}

/**
 * The `model.load_failed` event of the failed start, with what is served
 * now: evidence `degraded` and `digests.serving`. The failed model stays at fault.
 */
export function markEventDegraded(event: ServerEvent, state: DegradedState): ServerEvent {
  if (event.type !== "model.load_failed") return event;
  return {
    ...event,
    digests: { ...event.digests, serving: digestOf(state.serving) },
    evidence: [...event.evidence, { id: "degraded", text: state.reason.slice(0, 4000) }],
  };
}
