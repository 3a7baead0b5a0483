/**
 * The shape of the server's route table: each route file exports its
 * entries, and `http-handler.ts` walks them in order. A route is matched by
 * method, then by exact path or an anchored pattern whose first group is
 * the model name.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { HandlerContext } from "./handler-context.js";
import type { InferenceState } from "./inference.js";

export type { HandlerContext } from "./handler-context.js";

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
