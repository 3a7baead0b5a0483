/** What every route of the server may use: the rollout controller, metrics, feedback, limits. */
import type { Logger } from "pino";
import type { DegradedState } from "../degraded.js";
import type { FeedbackStore } from "../feedback.js";
import type { ServerMetrics } from "../metrics.js";
import type { RolloutController } from "../rollout-controller.js";

/** What the routes use. */
export interface HandlerContext {
  readonly controller: RolloutController;
  readonly metrics: ServerMetrics;
  readonly feedback: FeedbackStore;
  readonly logger: Logger;
  readonly maxBodyBytes: number;
  /** Bearer token for `POST /v1/rollout/{promote,abort}`; the routes are off without it. */
  readonly adminToken?: string;
  /** False while starting and while draining. */
  readonly isReady: () => boolean;
  /** Bearer token for `POST /v1/feedback`; the route answers 403 without it. */
  readonly feedbackToken?: string;
  /** Why the server is degraded (serving a cached model, or nothing), or null. */
  readonly degraded?: () => DegradedState | null;
}
