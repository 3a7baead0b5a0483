/**
 * Progress of a study for people: a bar redrawn in place on a terminal,
 * one plain line per trial elsewhere (CI logs keep every line).
 */
import type { Trial } from "./samplers.js";
import { formatCanonical } from "./space.js";
import type { StudyProgress } from "./study.js";
import type { TextSink } from "./trials-file.js";
import { formatMetric } from "../common/format-number.js";

/** How to draw. */
export interface ProgressOptions {
  /** Trials expected. */
  readonly total: number;
  /** Redraw a bar in place (a terminal) rather than print lines. */
  readonly isTty: boolean;
  /** Bar width in characters; 30. */
  readonly width?: number;
  /** Printed before the bar or lines; "tuning". */
  readonly label?: string;
}

/** Receives trials as they complete. */
export interface ProgressReporter {
  /** Pass as the study's `onTrial`. */
  update(trial: Trial, progress: StudyProgress): void;
  /** Ends the bar's line (a no-op for plain lines). */
  finish(): void;
}

/** The one line a trial gets in a log: its number, score, budget and parameters, and the best so far. */
function describeTrial(trial: Trial, progress: StudyProgress, total: number, label: string): string {
  const best = `best ${formatMetric(progress.best.score)} (#${progress.best.number})`;
  const budget = trial.budget === undefined ? "" : ` ${trial.budget.resource}=${trial.budget.value}`;
  return `${label}: trial ${progress.completed}/${total} #${trial.number} score ${formatMetric(trial.score)}${budget} ${formatCanonical(trial.params)} — ${best}`;
}

/** Writes one structured log record (a JSON log line) with a message. */
export type LogRecord = (fields: Record<string, unknown>, message: string) => void;

/**
 * Study progress as log records, for JSON logs: the line a person reads as
 * the message, and the trial's numbers as fields a machine reads.
 */
export function createLogProgressReporter(
  log: LogRecord,
  options: Omit<ProgressOptions, "isTty" | "width">,
): ProgressReporter {
  const label = options.label ?? "tuning";
  const total = Math.max(0, options.total);
  return {
    update(trial, progress) {
      log(
        {
          trial: trial.number,
          completed: progress.completed,
          total,
          score: trial.score,
          params: trial.params,
          ...(trial.budget === undefined ? {} : { budget: trial.budget }),
          best_trial: progress.best.number,
          best_score: progress.best.score,
        },
        describeTrial(trial, progress, total, label),
      );
    },
    finish() {},
  };
}

/** Draws study progress on `stream`. */
export function createProgressReporter(stream: TextSink, options: ProgressOptions): ProgressReporter {
  const width = options.width ?? 30;
  const label = options.label ?? "tuning";
  const total = Math.max(0, options.total);
  let drawn = false;
  return {
    update(trial, progress) {
      const best = `best ${formatMetric(progress.best.score)} (#${progress.best.number})`;
      if (options.isTty) {
        const filled =
          total === 0 ? width : Math.round((width * Math.min(progress.completed, total)) / total);
        const bar = `${"█".repeat(filled)}${"░".repeat(width - filled)}`;
        // \r + erase-line redraws in place without scrolling the terminal.
        stream.write(`\r\x1b[2K${label} ${bar} ${progress.completed}/${total} ${best}`);
        drawn = true;
        return;
      }
      stream.write(`${describeTrial(trial, progress, total, label)}\n`);
    },
    finish() {
      if (options.isTty && drawn) stream.write("\n");
    },
  };
}
