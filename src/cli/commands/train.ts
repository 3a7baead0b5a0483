/**
 * `meta-controller train <pipeline.yaml>`: tunes, fits, evaluates and gates
 * a model. Exit 0 when the gates pass, 2 when they fail, 1 on an error.
 */
import { resolve } from "node:path";
import type { Command } from "commander";
import { UsageError } from "../../common/errors.js";
import { expandGlob } from "../../common/glob.js";
import { buildShardDocument, buildTrainDocument, renderTrainSummary } from "../../pipeline/train-document.js";
import { trainPipeline } from "../../pipeline/train.js";
import { openConfiguredRegistry } from "../../registry/open-registry.js";
import {
  createLogProgressReporter,
  createProgressReporter,
  type ProgressReporter,
} from "../../tuning/progress.js";
import type { Trial } from "../../tuning/samplers.js";
import type { StudyProgress } from "../../tuning/study.js";
import { parseShard } from "../../tuning/shard.js";
import { createCliContext, printJson } from "../context.js";

/** Exit code when the model trained but failed its gates. */
export const EXIT_GATES_FAILED = 2;

interface TrainFlags {
  json?: boolean;
  shard?: string;
  trialsOut?: string;
  mergeTrials?: string;
  seed?: string;
  threads?: string;
  push?: boolean;
  registry?: string;
  insecure?: boolean;
  username?: string;
  allowOutsideRoot?: boolean;
}

function parseWholeNumber(flag: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min)
    throw new UsageError(`${flag} expects a whole number ≥ ${min}; got ${JSON.stringify(value)}`);
  return n;
}

/** Registers `train`. */
export function registerTrainCommand(program: Command): void {
  program
    .command("train")
    .description("tune, fit, evaluate and gate the model of a pipeline")
    .argument("<pipeline>", "pipeline file, e.g. pipelines/customer-churn.yaml")
    .option("--json", "print one JSON document")
    .option("--shard <i/n>", "run only shard i of n of the tuning study and write its trials")
    .option("--trials-out <file>", "write the trials as JSONL")
    .option("--merge-trials <glob>", "merge shard trials files, then fit the best parameters")
    .option("--seed <n>", "override model_training.seed")
    .option("--threads <n>", "worker threads (default: available cores)")
    .option(
      "--registry <url>",
      "oci://host[:port]/namespace or a folder (default: .meta-controller/registry)",
    )
    .option("--insecure", "allow plain http, to a loopback registry only")
    .option("--username <user>", "registry user (password from REGISTRY_PASSWORD or GITHUB_TOKEN)")
    .option("--no-push", "do not push the model (it is pushed only when its gates pass)")
    .option("--allow-outside-root", "let the pipeline read data files outside the repository root")
    .action(async (pipeline: string, flags: TrainFlags, command: Command) => {
      const { root, logger, logFormat } = createCliContext(command);
      const shard = flags.shard !== undefined ? parseShard(flags.shard) : undefined;
      if (shard && !flags.trialsOut)
        throw new UsageError("--shard needs --trials-out <file> to write the shard's trials");
      const seed = parseWholeNumber("--seed", flags.seed, 0);
      const threads = parseWholeNumber("--threads", flags.threads, 1);
      let mergeTrials: string[] | undefined;
      if (flags.mergeTrials !== undefined) {
        // expandGlob answers absolute paths for an absolute pattern and root-relative ones otherwise.
        mergeTrials = (await expandGlob(flags.mergeTrials, root)).map((file) => resolve(root, file));
        if (mergeTrials.length === 0)
          throw new UsageError(`--merge-trials ${JSON.stringify(flags.mergeTrials)} matches no file`);
      }
      // The study knows its trial count only once it starts: the reporter is made on the first trial.
      // Progress goes to stderr in every mode, `--json` included (stdout keeps its one document).
      let reporter: ProgressReporter | undefined;
      const onTrial = (trial: Trial, progress: StudyProgress) => {
        reporter ??=
          logFormat === "json"
            ? createLogProgressReporter((fields, message) => logger.info(fields, message), {
                total: progress.total,
              })
            : createProgressReporter(process.stderr, {
                total: progress.total,
                isTty: Boolean(process.stderr.isTTY),
              });
        reporter.update(trial, progress);
      };
      const { registry } = openConfiguredRegistry(flags, { root, logger });
      const result = await trainPipeline({
        root,
        registry,
        push: flags.push !== false,
        allowOutsideRoot: flags.allowOutsideRoot === true,
        pipelinePath: pipeline,
        logger,
        ...(seed !== undefined ? { seed } : {}),
        ...(threads !== undefined ? { threads } : {}),
        ...(shard ? { shard } : {}),
        ...(flags.trialsOut ? { trialsOut: flags.trialsOut } : {}),
        ...(mergeTrials ? { mergeTrials } : {}),
        onTrial,
      });
      reporter?.finish();
      if (result.kind === "shard") {
        const document = buildShardDocument(result);
        if (flags.json) printJson(document);
        else
          process.stdout.write(
            `shard ${document.shard}: ${document.tuning.trials.length} trials written to ${flags.trialsOut ?? ""}\n`,
          );
        return;
      }
      const document = buildTrainDocument(result);
      if (flags.json) printJson(document);
      else process.stdout.write(`${renderTrainSummary(document)}\n`);
      process.exitCode = result.gates.passed ? 0 : EXIT_GATES_FAILED;
    });
}
