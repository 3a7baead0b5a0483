/**
 * The rollout state of one environment on disk (`rollout.json` in the
 * server's state folder): which stable and candidate digests it is about,
 * and the rollout (phase, step, weight, failed checks, history). A restart
 * reads it back, so an aborted candidate stays aborted and a canary resumes
 * at its step instead of starting over. A file that cannot be read is
 * reported and ignored: a new rollout starts, the server does not stop.
 */
import { join } from "node:path";
import type { Logger } from "pino";
import { z } from "zod";
import { CHECK_NAMES } from "../deploy/checks.js";
import { ROLLOUT_PHASES, type RolloutState } from "../deploy/rollout.js";
import { readFileIfExists, writeFileDurably } from "./durable-file.js";

/** What is stored: the rollout and the models it is about. */
export interface PersistedRollout {
  readonly environment: string;
  readonly stable: string | null;
  readonly candidate: string | null;
  readonly rollout: RolloutState;
}

/** JSON turns NaN and ±Infinity into null; read them back as NaN. */
const looseNumber = z
  .number()
  .nullable()
  .transform((v) => v ?? Number.NaN);

const CheckResultRecord = z
  .object({
    check: z.enum(CHECK_NAMES),
    value: looseNumber,
    threshold: looseNumber,
    direction: z.enum(["above", "below"]),
    passed: z.boolean(),
    feature: z.string().optional(),
  })
  .transform(({ feature, ...result }) => (feature === undefined ? result : { ...result, feature }));

const RolloutRecord = z.object({
  version: z.literal(1),
  environment: z.string(),
  stable: z.string().nullable(),
  candidate: z.string().nullable(),
  rollout: z.object({
    plan: z.object({
      type: z.enum(["simple", "blue-green", "canary"]),
      steps: z.array(z.number()),
      intervalMs: z.number(),
      maxFailedChecks: z.number(),
    }),
    phase: z.enum(ROLLOUT_PHASES),
    candidateWeight: z.number().min(0).max(100),
    step: z.number().int(),
    startedAt: z.number(),
    stepStartedAt: z.number(),
    failedChecks: z.number().int().min(0),
    stepPassed: z.boolean(),
    lastAnalysis: z
      .object({
        status: z.enum(["pass", "fail", "insufficient"]),
        requests: z.number(),
        results: z.array(CheckResultRecord),
      })
      .nullable(),
    history: z.array(
      z.object({ at: z.number(), phase: z.enum(ROLLOUT_PHASES), weight: z.number(), reason: z.string() }),
    ),
  }),
});

/** The rollout file of one server's state folder. */
export interface RolloutStore {
  /** Where it lives, for messages. */
  readonly path: string;
  /** The stored rollout, or undefined when there is none (or it is unreadable, which is logged). */
  load(): PersistedRollout | undefined;
  /** Writes `record` now, durably. */
  save(record: PersistedRollout): void;
}

/** Name of the rollout file in a state folder. */
export const ROLLOUT_FILE = "rollout.json";

/** Opens the rollout file in `stateDir`. */
export function openRolloutStore(stateDir: string, logger: Logger): RolloutStore {
  const path = join(stateDir, ROLLOUT_FILE);
  return {
    path,
    load() {
      let text: string | undefined;
      try {
        text = readFileIfExists(path);
        if (text === undefined) return undefined;
        const parsed = RolloutRecord.safeParse(JSON.parse(text));
        if (parsed.success) {
          const { environment, stable, candidate, rollout } = parsed.data;
          return { environment, stable, candidate, rollout };
        }
        const issue = parsed.error.issues[0];
        throw new Error(`field ${issue?.path.join(".") ?? "?"}: ${issue?.message ?? "invalid"}`);
      } catch (error) {
        logger.error(
          { err: error, path },
          `${path}: the stored rollout state is unreadable and is ignored; the rollout starts over: ${error instanceof Error ? error.message : String(error)}`,
        );
        return undefined;
      }
    },
    save(record) {
      writeFileDurably(path, `${JSON.stringify({ version: 1, ...record }, null, 1)}\n`);
    },
  };
}
