/**
 * What every run-flow use case gets: the desired state it changes and the
 * words naming who asked, for the change's description.
 */
import type { DesiredState } from "./desired-state.js";

/** Where an operation runs and on whose behalf. */
export interface OperationContext {
  readonly state: DesiredState;
  /** Who asked, as shown in the change: `@octocat in #12`, `meta-controller deploy`, an alert. */
  readonly requester: string;
}

/** The line every change ends with. */
export function renderFooter(requester: string): string {
  return `\n\n---\nRequested by ${requester}. Opened by Meta-Controller; merging this PR changes what serves.`;
}
