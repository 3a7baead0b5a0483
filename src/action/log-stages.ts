/**
 * What the Action prints to the CI log while it works: each stage in a
 * collapsible group (`core.group`), the pipeline's own log lines and one
 * line per tuning trial inside it, so a long tuning run is never a blank
 * step. Everything goes to stdout, where the runner reads its commands, so
 * lines stay inside their group.
 */
import * as core from "@actions/core";
import { createLogger, resolveLogFormat, type Logger } from "../common/logger.js";
import { createProgressReporter, type ProgressReporter } from "../tuning/progress.js";
import type { Trial } from "../tuning/samplers.js";
import type { StudyProgress } from "../tuning/study.js";

/** The log the use cases write to: pretty lines on stdout (JSON with `LOG_FORMAT=json`). */
export function createActionLogger(env: NodeJS.ProcessEnv): Logger {
  return createLogger({ format: resolveLogFormat(undefined, env), destination: process.stdout });
}

/** One plain line per trial (a CI log keeps every line), made on the first trial when the total is known. */
export function createActionProgress(): (trial: Trial, progress: StudyProgress) => void {
  let reporter: ProgressReporter | undefined;
  return (trial, progress) => {
    reporter ??= createProgressReporter(
      { write: (text: string) => void process.stdout.write(text) },
      { total: progress.total, isTty: false },
    );
    reporter.update(trial, progress);
  };
}

/** Runs `stage` inside a collapsible group of the CI log. */
export function runInGroup<T>(name: string, stage: () => Promise<T>): Promise<T> {
  return core.group(name, stage);
}
