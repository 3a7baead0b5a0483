/**
 * `environments/<name>.yaml`: the desired state of one environment. The bot
 * edits these files through pull requests; the server serves what they say.
 */
import { z } from "zod";
import { Duration } from "./duration.js";
import { DigestString, ModelName, ModelRefString } from "./model-ref.js";
import { PolicySpec } from "./policy.js";

/** GitHub repository permission levels, lowest first. */
export const PERMISSION_LEVELS = ["read", "triage", "write", "maintain", "admin"] as const;
/** A GitHub repository permission level. */
export const PermissionLevel = z.enum(PERMISSION_LEVELS).describe("A GitHub repository permission level.");
export type PermissionLevel = z.infer<typeof PermissionLevel>;

/**
 * Whether `actual` reaches `required` (read < triage < write < maintain <
 * admin). The level comes from the collaborator-permission API, not from a
 * webhook's `author_association`, which misreports private organization members.
 */
export function meetsLevel(actual: PermissionLevel | "none", required: PermissionLevel): boolean {
  if (actual === "none") return false;
  return PERMISSION_LEVELS.indexOf(actual) >= PERMISSION_LEVELS.indexOf(required);
}

/** Rollout strategies: the one list every other declaration derives from. */
export const STRATEGY_TYPES = ["simple", "blue-green", "canary"] as const;
/** One of {@link STRATEGY_TYPES}. */
export type StrategyType = (typeof STRATEGY_TYPES)[number];

/** How a candidate replaces the stable model. */
export const RolloutStrategy = z
  .strictObject({
    type: z
      .enum(STRATEGY_TYPES)
      .describe("`simple` switches at once; `blue-green` switches when checks pass; `canary` steps traffic."),
    steps: z
      .array(z.number().gt(0).max(100))
      .min(1)
      .default([10, 25, 50, 100])
      .describe("Canary traffic percentages, increasing, ending at 100."),
    interval: Duration.default("1m").describe("How long each canary step (or blue-green analysis) holds."),
    max_failed_checks: z
      .number()
      .int()
      .min(1)
      .default(2)
      .describe("Failed analyses after which the rollout aborts back to stable."),
    sticky_key: z
      .string()
      .min(1)
      .optional()
      .describe("Request header whose value keeps a caller on the same model during a canary."),
  })
  .superRefine((strategy, ctx) => {
    const steps = strategy.steps;
    for (let i = 1; i < steps.length; i++) {
      if (steps[i]! <= steps[i - 1]!) {
        ctx.addIssue({
          code: "custom",
          path: ["steps", i],
          message: `canary steps must increase; ${steps[i]} follows ${steps[i - 1]}`,
        });
      }
    }
    if (strategy.type === "canary" && steps[steps.length - 1] !== 100) {
      ctx.addIssue({
        code: "custom",
        path: ["steps", steps.length - 1],
        message: `the last canary step must be 100; got ${steps[steps.length - 1]}`,
      });
    }
  })
  .describe("Rollout strategy.");
export type RolloutStrategy = z.infer<typeof RolloutStrategy>;

/** Thresholds the server analyses for a candidate, and Prometheus alert rules are rendered from. */
export const Checks = z
  .strictObject({
    error_rate: z
      .strictObject({ max: z.number().min(0).max(1).describe("Highest tolerated share of failed requests.") })
      .optional(),
    latency_p99: z
      .strictObject({ max_ms: z.number().gt(0).describe("Highest tolerated p99 latency in milliseconds.") })
      .optional(),
    drift: z
      .strictObject({
        alpha: z
          .number()
          .gt(0)
          .lt(1)
          .default(0.01)
          .describe("Dataset-level false-alarm rate of the drift decision."),
        window: z.number().int().min(50).default(1000).describe("Rows in the sliding drift window."),
        min_samples: z.number().int().min(1).default(200).describe("Rows needed before drift is judged."),
      })
      .optional(),
    accuracy: z
      .strictObject({
        min: z.number().min(0).max(1).describe("Lowest tolerated live accuracy from feedback labels."),
        min_samples: z.number().int().min(1).default(100).describe("Labelled rows needed before judging."),
      })
      .optional(),
    min_requests: z
      .number()
      .int()
      .min(0)
      .default(20)
      .describe("Requests a candidate must see in an interval before its checks count."),
  })
  .describe("Health checks for the candidate (and alert rules for stable).");
export type Checks = z.infer<typeof Checks>;

/** What happens when a rollout fails or an incident calls for a rollback. */
export const RollbackPolicy = z
  .strictObject({
    automatic: z.boolean().default(true).describe("Open rollback PRs without a human asking."),
    merge: z
      .enum(["auto", "direct", "none"])
      .default("auto")
      .describe("`auto`: request auto-merge; `direct`: merge at once; `none`: leave the PR for review."),
  })
  .describe("Rollback policy.");

/** Who may act on this environment. */
export const EnvironmentPermissions = z
  .strictObject({
    deploy: PermissionLevel.default("write").describe("Level needed for /deploy, /promote and /abort."),
    rollback: PermissionLevel.default("write").describe("Level needed for /rollback."),
    force: PermissionLevel.default("admin").describe("Level needed for --force."),
  })
  .describe("Permission levels required per command.");

/** The file format of `environments/<name>.yaml`. */
export const EnvironmentSpec = z
  .strictObject({
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*$/, { message: "expected lowercase letters, digits and -" })
      .describe("Environment name, e.g. staging or production."),
    model: ModelName.describe("Name of the model this environment serves (its registry repository)."),
    registry: z
      .string()
      .min(1)
      .optional()
      .describe("Registry URL (`oci://host/namespace`) or a local folder; defaults to the local registry."),
    stable: ModelRefString.nullable().describe("The model serving now, and the rollback target."),
    candidate: ModelRefString.nullable().optional().describe("The model being rolled out, if any."),
    strategy: RolloutStrategy.default({
      type: "canary",
      steps: [10, 25, 50, 100],
      interval: "1m",
      max_failed_checks: 2,
    }),
    checks: Checks.default({ min_requests: 20 }),
    rollback: RollbackPolicy.default({ automatic: true, merge: "auto" }),
    permissions: EnvironmentPermissions.default({ deploy: "write", rollback: "write", force: "admin" }),
    quarantine: z
      .array(DigestString)
      .default([])
      .describe("Digests that were rolled back and must never be deployed again."),
    policy: PolicySpec.optional().describe(
      "Decision-engine overrides for this environment (rate limits, cooldowns, freeze windows, bandit).",
    ),
    notify: z
      .unknown()
      .optional()
      .refine((value) => value === undefined, {
        message:
          "`notify` (slack_webhook_env) is not supported: the bot posts to GitHub only. Remove the `notify` section.",
      })
      .describe("Removed: it was never used. A file that still has it is rejected."),
  })
  .superRefine((env, ctx) => {
    const digestOf = (ref: string | null | undefined) => ref?.split("@")[1];
    const candidateDigest = digestOf(env.candidate);
    if (candidateDigest && env.quarantine.includes(candidateDigest)) {
      ctx.addIssue({
        code: "custom",
        path: ["candidate"],
        message: `candidate ${candidateDigest} is quarantined and must not be deployed`,
      });
    }
    const stableDigest = digestOf(env.stable);
    if (stableDigest && env.quarantine.includes(stableDigest)) {
      ctx.addIssue({
        code: "custom",
        path: ["stable"],
        message: `stable ${stableDigest} is quarantined and must not be served`,
      });
    }
    for (const key of ["stable", "candidate"] as const) {
      const ref = env[key];
      if (ref && !ref.split("@")[0]!.split(":")[0]!.endsWith(env.model)) {
        ctx.addIssue({
          code: "custom",
          path: [key],
          message: `${key} ${JSON.stringify(ref)} is not a reference to model ${JSON.stringify(env.model)}`,
        });
      }
    }
  })
  .describe("Desired state of one environment: which model serves, how it rolls out, what is checked.");
export type EnvironmentSpec = z.infer<typeof EnvironmentSpec>;
