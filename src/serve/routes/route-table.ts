/**
 * The shape of the server's route table: each route file exports its
 * entries, and `http-handler.ts` walks them in order. A route is matched by
 * method, then by exact path or an anchored pattern whose first group is
 * the model name.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { FeedbackStore } from "../feedback.js";
import type { ServerMetrics } from "../metrics.js";
import type { RolloutController } from "../rollout-controller.js";
import type { InferenceState } from "./inference.js";

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
}

/** The context plus the inference routes' own state, built once per server. */
export interface RouteContext extends HandlerContext {
  readonly inference: InferenceState;
}

/** Answers one matched request; `match` is the pattern's match, null for an exact path. */
export type RouteHandler = (
  context: RouteContext,
  req: IncomingMessage,
  res: ServerResponse,
  requestId: string,
  match: RegExpExecArray | null,
) => Promise<void> | void;

/** One row of the route table. */
export interface RouteEntry {
  readonly method: "GET" | "POST";
  /** An exact path, or an anchored pattern. */
  readonly path: string | RegExp;
  readonly handle: RouteHandler;
}

/** The model name a pattern captured, percent-decoded (a bad escape throws URIError: a 400). */
export function modelNameOf(match: RegExpExecArray | null): string {
  return decodeURIComponent(match?.[1] ?? "");
}
