/**
 * Trials files: JSON Lines, a header line naming the study and the shard,
 * then one line per completed trial (in completion order; readers sort by
 * number). A CI matrix job writes one per shard; `mergeTrialsFiles` checks
 * they belong to the same study and picks the best.
 */
import { DataError } from "../common/errors.js";
import type { Trial } from "./samplers.js";
import type { Shard } from "./shard.js";
import { formatCanonical } from "./space.js";
import { selectBestTrial, type StudyIdentity, type StudyResult } from "./study.js";

/** The header line. */
export interface TrialsHeader {
  readonly kind: "study";
  /** Format version of the file. */
  readonly format: 1;
  readonly study: StudyIdentity;
  readonly shard: Shard;
}

/** Anything text can be written to (a file stream, stdout, an array in tests). */
export interface TextSink {
  write(chunk: string): unknown;
}

/** The header line of a study shard's trials file, newline included. */
export function formatTrialsHeader(study: StudyIdentity, shard: Shard): string {
  const header: TrialsHeader = { kind: "study", format: 1, study, shard };
  return `${JSON.stringify(header)}\n`;
}

/** One trial's line, newline included. */
export function formatTrialLine(trial: Trial): string {
  return `${JSON.stringify({ kind: "trial", ...trial })}\n`;
}

/** Writes the header at once, then one line per trial as trials complete (pass `write` as `onTrial`). */
export function createTrialsWriter(
  sink: TextSink,
  study: StudyIdentity,
  shard: Shard,
): { write(trial: Trial): void } {
  sink.write(formatTrialsHeader(study, shard));
  return { write: (trial) => void sink.write(formatTrialLine(trial)) };
}

/** The whole result of a shard as file text (for callers that write once at the end). */
export function formatTrialsFile(result: StudyResult): string {
  return formatTrialsHeader(result.study, result.shard) + result.trials.map(formatTrialLine).join("");
}

/** A trials file after reading. */
export interface TrialsFile {
  readonly file: string;
  readonly header: TrialsHeader;
  /** Ordered by trial number. */
  readonly trials: readonly Trial[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function checkTrial(value: Record<string, unknown>, where: string, shard: Shard): Trial {
  const { number, params, score, duration_ms: duration, budget } = value;
  if (!Number.isSafeInteger(number) || (number as number) < 0)
    throw new DataError(`${where}: "number" must be an integer >= 0`);
  if (!isRecord(params)) throw new DataError(`${where}: "params" must be an object`);
  if (typeof score !== "number" || !Number.isFinite(score))
    throw new DataError(`${where}: "score" must be a finite number`);
  if (typeof duration !== "number" || !(duration >= 0))
    throw new DataError(`${where}: "duration_ms" must be a number >= 0`);
  if ((number as number) % shard.count !== shard.index - 1) {
    throw new DataError(
      `${where}: trial ${number as number} does not belong to shard ${shard.index}/${shard.count}`,
    );
  }
  if (
    budget !== undefined &&
    (!isRecord(budget) || typeof budget.value !== "number" || typeof budget.resource !== "string")
  ) {
    throw new DataError(`${where}: "budget" must be {resource, value}`);
  }
  return {
    number: number as number,
    params: params as Trial["params"],
    score,
    ...(budget === undefined ? {} : { budget: budget as unknown as NonNullable<Trial["budget"]> }),
    duration_ms: duration,
    shard,
  };
}

/** Parses a trials file. Errors name the file and line. */
export function parseTrialsFile(text: string, file: string): TrialsFile {
  const lines = text.split("\n");
  let header: TrialsHeader | undefined;
  const trials: Trial[] = [];
  const seen = new Set<number>();
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === "") return;
    const where = `${file}:${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new DataError(`${where}: not a JSON line (${(error as Error).message})`, { cause: error });
    }
    if (!isRecord(value)) throw new DataError(`${where}: expected a JSON object`);
    if (header === undefined) {
      if (value.kind !== "study" || value.format !== 1 || !isRecord(value.study) || !isRecord(value.shard)) {
        throw new DataError(
          `${where}: the first line must be the study header written by --shard (kind "study", format 1)`,
        );
      }
      header = value as unknown as TrialsHeader;
      return;
    }
    if (value.kind !== "trial")
      throw new DataError(
        `${where}: expected a trial line (kind "trial"), got kind ${JSON.stringify(value.kind)}`,
      );
    const trial = checkTrial(value, where, header.shard);
    if (seen.has(trial.number)) throw new DataError(`${where}: trial ${trial.number} appears twice`);
    seen.add(trial.number);
    trials.push(trial);
  });
  if (header === undefined) throw new DataError(`${file}: empty trials file; it has no study header`);
  trials.sort((a, b) => a.number - b.number);
  return { file, header, trials };
}

/** The shards merged into one study. */
export interface MergedTrials {
  readonly study: StudyIdentity;
  /** Every trial of every shard, ordered by number. */
  readonly trials: readonly Trial[];
  readonly best: Trial | undefined;
  /** 1-based shard indices present. */
  readonly shards: readonly number[];
}

/**
 * Merges shard files of one study. Throws a DataError naming the file that
 * differs (another sampler, seed, space, direction, trial count or shard
 * count), a shard given twice, or — unless `allowMissingShards` — the shards
 * that are missing.
 */
export function mergeTrialsFiles(
  files: readonly TrialsFile[],
  options: { allowMissingShards?: boolean } = {},
): MergedTrials {
  const first = files[0];
  if (first === undefined) throw new DataError("no trials files to merge; check the --merge-trials pattern");
  const reference = formatCanonical(first.header.study);
  const count = first.header.shard.count;
  const byIndex = new Map<number, string>();
  for (const f of files) {
    const study = formatCanonical(f.header.study);
    if (study !== reference) {
      throw new DataError(
        `${f.file} belongs to another study than ${first.file}: ${describeDifference(first.header.study, f.header.study)}`,
      );
    }
    if (f.header.shard.count !== count) {
      throw new DataError(
        `${f.file} is shard ${f.header.shard.index}/${f.header.shard.count} but ${first.file} is of /${count}`,
      );
    }
    const other = byIndex.get(f.header.shard.index);
    if (other !== undefined)
      throw new DataError(`${f.file} and ${other} are both shard ${f.header.shard.index}/${count}`);
    byIndex.set(f.header.shard.index, f.file);
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !byIndex.has(i));
  if (missing.length > 0 && options.allowMissingShards !== true) {
    throw new DataError(
      `shards ${missing.map((i) => `${i}/${count}`).join(", ")} are missing from the merge (got ${files.map((f) => f.file).join(", ")})`,
    );
  }
  const trials = files.flatMap((f) => f.trials).sort((a, b) => a.number - b.number);
  return {
    study: first.header.study,
    trials,
    best: selectBestTrial(trials, first.header.study.direction),
    shards: [...byIndex.keys()].sort((a, b) => a - b),
  };
}

function describeDifference(a: StudyIdentity, b: StudyIdentity): string {
  const keys = ["sampler", "seed", "direction", "n_trials", "space_hash"] as const;
  return keys
    .filter((k) => formatCanonical(a[k]) !== formatCanonical(b[k]))
    .map((k) => `${k} ${formatCanonical(b[k])} instead of ${formatCanonical(a[k])}`)
    .join(", ");
}
