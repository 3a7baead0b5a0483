/**
 * The Probot app: comment commands, pull request outcomes, and the alert
 * intake route. The default export is the app function for `probot run`
 * and serverless hosts (settings from the environment);
 * {@link createBotApp} takes them explicitly.
 */
import type { ApplicationFunction, Probot } from "probot";
import { createAlertIntake } from "./alert-intake.js";
import { setMarkerTrust } from "../github/marker-trust.js";
import { singleCredentials } from "./alert-credentials.js";
import { createAlertRoute } from "./alert-route.js";
import { createBotIdentity } from "./bot-identity.js";
import { readBotAppOptions, type BotAppOptions } from "./app-options.js";
import { createBotRuntime, type BotRuntime } from "./bot-runtime.js";
import { registerCommandHandler } from "./comment-handler.js";
import { registerPullRequestHandlers } from "./pull-request-handlers.js";
import type { WorkQueue } from "./work-queue.js";

export type { BotAppOptions } from "./app-options.js";

/** Handles kept for tests and the bench: the queue drains through `idle()`. */
export interface BotAppHandle {
  readonly queue: WorkQueue;
}

function registerAlertIntake(
  app: Probot,
  appOptions: Parameters<ApplicationFunction>[1],
  runtime: BotRuntime,
): void {
  if (typeof appOptions?.addHandler !== "function") {
    runtime.log.warn("no HTTP server to add /api/alerts to (serverless host?): alert intake is off");
    return;
  }
  const { options } = runtime;
  const credentials = [
    ...(options.alertCredentials ?? []),
    ...singleCredentials({
      token: options.alertToken,
      hmacSecret: options.alertHmacSecret,
      defaultRepository: options.defaultRepository,
    }),
  ];
  if (credentials.some((c) => c.repositories.length === 0)) {
    runtime.log.warn(
      "ALERT_TOKEN / ALERT_HMAC_SECRET without DEFAULT_REPOSITORY may act on no repository; list them in ALERT_CREDENTIALS",
    );
  }
  const intake = createAlertIntake(app, runtime);
  appOptions.addHandler(
    createAlertRoute({
      path: options.alertsPath ?? "/api/alerts",
      credentials,
      defaultRepository: options.defaultRepository,
      maxBytes: options.maxAlertBytes ?? 1024 * 1024,
      seen: intake.seen,
      now: runtime.now,
      log: runtime.log,
      accept: (notices) => intake.accept(notices),
    }),
  );
}

/** Builds the app function with explicit settings. */
export function createBotApp(
  options: BotAppOptions = {},
  handle?: (h: BotAppHandle) => void,
): ApplicationFunction {
  return (app: Probot, appOptions) => {
    const runtime = createBotRuntime(options, app.log);
    // The bot's markers are sealed and trusted with this process's key; without one none is trusted.
    setMarkerTrust(
      options.markerKey === undefined
        ? undefined
        : createBotIdentity(app, options.markerKey, options.botLogin, runtime.log),
    );
    handle?.({ queue: runtime.queue });
    registerCommandHandler(app, runtime);
    registerPullRequestHandlers(app, runtime);
    registerAlertIntake(app, appOptions, runtime);
  };
}

/** The app function for `probot run` and serverless hosts; settings come from the environment. */
export default function metaControllerApp(app: Probot, appOptions: Parameters<ApplicationFunction>[1]) {
  return createBotApp(readBotAppOptions(process.env))(app, appOptions);
}
