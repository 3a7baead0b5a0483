/**
 * The optional `policy` section of `environments/<name>.yaml`: how far the
 * decision engine may act on its own in that environment. Every field is
 * optional in the file; {@link resolvePolicy} fills the defaults from code so
 * an environment without a `policy` section gets the safe guardrails alone.
 */
import { z } from "zod";

/** Actions of the decision engine, from the least to the most intrusive (the decision engine's closed set). */
export const ACTIONS = ["ignore", "notify", "abort_canary", "rollback", "retrain"] as const;

const TIME_OF_DAY = /^([01]\d|2[0-3]):[0-5]\d$/;
const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;

/** A one-off freeze between two instants. */
export const AbsoluteFreezeWindow = z
  .object({
    from: z.iso.datetime({ offset: true }).describe("Start of the freeze (RFC 3339)."),
    to: z.iso.datetime({ offset: true }).describe("End of the freeze (RFC 3339), exclusive."),
    reason: z.string().max(200).optional().describe("Why the environment is frozen; shown in the decision."),
  })
  .strict();

/** A freeze that repeats every week, in UTC. */
export const WeeklyFreezeWindow = z
  .object({
    days: z.array(z.enum(WEEKDAYS)).min(1).describe("Days of the week (UTC) the freeze applies to."),
    from_time: z.string().regex(TIME_OF_DAY, "expected HH:MM").describe("Start time of day, HH:MM UTC."),
    to_time: z
      .string()
      .regex(TIME_OF_DAY, "expected HH:MM")
      .describe("End time of day, HH:MM UTC, exclusive; earlier than from_time means it ends the next day."),
    reason: z.string().max(200).optional().describe("Why the environment is frozen; shown in the decision."),
  })
  .strict();

/** Bandit settings. */
export const BanditSpec = z
  .object({
    enabled: z
      .boolean()
      .optional()
      .describe("Learn from outcomes inside the guardrails (default false: guardrails alone decide)."),
    exploration: z
      .number()
      .min(0)
      .max(0.2)
      .optional()
      .describe("Probability of trying another allowed action to learn its value (default 0.05)."),
    alpha: z
      .number()
      .positive()
      .max(10)
      .optional()
      .describe("Width of the confidence bounds, in standard errors (default 1.5)."),
    ridge: z
      .number()
      .positive()
      .max(1000)
      .optional()
      .describe("Ridge penalty of the per-action reward models (default 1)."),
    safety_margin: z
      .number()
      .min(0)
      .max(0.5)
      .optional()
      .describe(
        "Exploration stops when it could bring the policy's reward below (1 − margin) × the baseline's (default 0.1).",
      ),
    min_samples: z
      .number()
      .int()
      .nonnegative()
      .optional()
      .describe("Outcomes an action needs before the policy may prefer it over the baseline (default 10)."),
  })
  .strict();

/** Reward settings. */
export const RewardSpec = z
  .object({
    resolve_within_minutes: z
      .number()
      .positive()
      .max(7 * 24 * 60)
      .optional()
      .describe(
        "T: an incident that resolves within this time and does not fire again earns +1 (default 60).",
      ),
    action_costs: z
      .object(
        Object.fromEntries(
          ACTIONS.map((a) => [
            a,
            z.number().min(0).max(10).optional().describe(`Cost subtracted when the engine chooses ${a}.`),
          ]),
        ) as Record<(typeof ACTIONS)[number], z.ZodOptional<z.ZodNumber>>,
      )
      .strict()
      .optional()
      .describe("Cost of each action, subtracted from its reward."),
    human_revert_penalty: z
      .number()
      .min(0)
      .max(100)
      .optional()
      .describe(
        "Penalty when a person reverts the action: rollback PR closed unmerged, /undo, 👎 (default 5).",
      ),
  })
  .strict();

/** LLM advisor settings. No secrets here: the API key comes from the bot's environment. */
export const AdvisorSpec = z
  .object({
    enabled: z
      .boolean()
      .optional()
      .describe("Ask an LLM for a diagnosis (default true when an API key is set)."),
    base_url: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe("OpenAI-compatible endpoint (Azure, Ollama, vLLM…); default the OpenAI API."),
    model: z.string().min(1).max(200).optional().describe("Model name (default gpt-4o-mini)."),
    timeout_seconds: z.number().positive().max(300).optional().describe("Request timeout (default 30)."),
    max_retries: z.number().int().min(0).max(5).optional().describe("Retries on 429 and 5xx (default 1)."),
    max_input_tokens: z
      .number()
      .int()
      .min(500)
      .max(200_000)
      .optional()
      .describe("Token budget of the prompt; telemetry is cut to fit (default 6000)."),
  })
  .strict();

/** The `policy` section of an environment file. */
export const PolicySpec = z
  .object({
    rate_limit_per_hour: z
      .number()
      .int()
      .min(0)
      .max(100)
      .optional()
      .describe("Most automated actions (rollback, abort) per hour in this environment (default 3)."),
    cooldown_minutes: z
      .number()
      .min(0)
      .max(24 * 60)
      .optional()
      .describe("After an automated action on a model, wait this long before the next one (default 15)."),
    recent_deploy_minutes: z
      .number()
      .positive()
      .max(7 * 24 * 60)
      .optional()
      .describe("A deploy this recent is a suspect for a critical incident (default 120)."),
    flap_threshold: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .optional()
      .describe("An alert that fired this many times in a day is flapping: a person decides (default 4)."),
    freeze_windows: z
      .array(z.union([AbsoluteFreezeWindow, WeeklyFreezeWindow]))
      .optional()
      .describe("Windows in which no automated action is taken; people are notified instead."),
    bandit: BanditSpec.optional().describe(
      "Contextual bandit that learns from outcomes inside the guardrails.",
    ),
    reward: RewardSpec.optional().describe("How outcomes turn into rewards."),
    advisor: AdvisorSpec.optional().describe("LLM diagnosis settings (never secrets)."),
  })
  .strict()
  .describe("How far the decision engine may act on its own in this environment.");

/** The `policy` section as written. */
export type PolicySpec = z.infer<typeof PolicySpec>;

/** A freeze window, either kind. */
export type FreezeWindow = z.infer<typeof AbsoluteFreezeWindow> | z.infer<typeof WeeklyFreezeWindow>;

/** The policy with every default filled in. */
export interface ResolvedPolicy {
  readonly rateLimitPerHour: number;
  readonly cooldownMs: number;
  readonly recentDeployMs: number;
  readonly flapThreshold: number;
  readonly freezeWindows: readonly FreezeWindow[];
  readonly bandit: {
    readonly enabled: boolean;
    readonly exploration: number;
    readonly alpha: number;
    readonly ridge: number;
    readonly minSamples: number;
    readonly safetyMargin: number;
  };
  readonly reward: {
    readonly resolveWithinMs: number;
    /** Indexed like {@link ACTIONS}. */
    readonly actionCosts: readonly number[];
    readonly humanRevertPenalty: number;
  };
  readonly advisor: {
    readonly enabled: boolean | undefined;
    readonly baseUrl: string | undefined;
    readonly model: string;
    readonly timeoutMs: number;
    readonly maxRetries: number;
    readonly maxInputTokens: number;
  };
}

/** Default costs: doing something has a price, and the heavier the action the higher. */
export const DEFAULT_ACTION_COSTS: Readonly<Record<(typeof ACTIONS)[number], number>> = {
  ignore: 0,
  notify: 0.05,
  abort_canary: 0.1,
  rollback: 0.2,
  retrain: 0.3,
};

const MINUTE = 60_000;

/** Fills the defaults of a `policy` section (or of none). */
export function resolvePolicy(spec: PolicySpec = {}): ResolvedPolicy {
  const costs = spec.reward?.action_costs ?? {};
  return {
    rateLimitPerHour: spec.rate_limit_per_hour ?? 3,
    cooldownMs: (spec.cooldown_minutes ?? 15) * MINUTE,
    recentDeployMs: (spec.recent_deploy_minutes ?? 120) * MINUTE,
    flapThreshold: spec.flap_threshold ?? 4,
    freezeWindows: spec.freeze_windows ?? [],
    bandit: {
      enabled: spec.bandit?.enabled ?? false,
      exploration: spec.bandit?.exploration ?? 0.05,
      alpha: spec.bandit?.alpha ?? 1.5,
      ridge: spec.bandit?.ridge ?? 1,
      minSamples: spec.bandit?.min_samples ?? 10,
      safetyMargin: spec.bandit?.safety_margin ?? 0.1,
    },
    reward: {
      resolveWithinMs: (spec.reward?.resolve_within_minutes ?? 60) * MINUTE,
      actionCosts: ACTIONS.map((a) => costs[a] ?? DEFAULT_ACTION_COSTS[a]),
      humanRevertPenalty: spec.reward?.human_revert_penalty ?? 5,
    },
    advisor: {
      enabled: spec.advisor?.enabled,
      baseUrl: spec.advisor?.base_url,
      model: spec.advisor?.model ?? "gpt-4o-mini",
      timeoutMs: (spec.advisor?.timeout_seconds ?? 30) * 1000,
      maxRetries: spec.advisor?.max_retries ?? 1,
      maxInputTokens: spec.advisor?.max_input_tokens ?? 6000,
    },
  };
}

/** Finds the freeze window `now` falls in, if any. */
export function findFreezeWindow(windows: readonly FreezeWindow[], now: Date): FreezeWindow | undefined {
  const t = now.getTime();
  return windows.find((w) => {
    if ("from" in w) return t >= Date.parse(w.from) && t < Date.parse(w.to);
    const minuteOfDay = now.getUTCHours() * 60 + now.getUTCMinutes();
    const start = toMinutes(w.from_time);
    const end = toMinutes(w.to_time);
    const today = WEEKDAYS[(now.getUTCDay() + 6) % 7]!;
    const yesterday = WEEKDAYS[(now.getUTCDay() + 5) % 7]!;
    if (start <= end) return w.days.includes(today) && minuteOfDay >= start && minuteOfDay < end;
    // Overnight window: the part after midnight belongs to the day it started on.
    return (
      (w.days.includes(today) && minuteOfDay >= start) || (w.days.includes(yesterday) && minuteOfDay < end)
    );
  });
}

function toMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(":");
  return Number(h) * 60 + Number(m);
}
