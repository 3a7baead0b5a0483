/**
 * `.github/meta-controller.yml`: the bot's settings for one repository.
 * Secrets (API keys, webhook URLs) never live here: they come from the bot's
 * environment.
 */
import { z } from "zod";
import { PermissionLevel, STRATEGY_TYPES } from "./environment.js";

/** The file format of `.github/meta-controller.yml`. */
export const BotConfig = z
  .strictObject({
    default_environment: z
      .string()
      .min(1)
      .default("staging")
      .describe("Environment a command acts on when it names none."),
    environments_dir: z
      .string()
      .min(1)
      .default("environments")
      .describe("Folder holding the environment files."),
    default_strategy: z
      .enum(STRATEGY_TYPES)
      .optional()
      .describe("Strategy for /deploy when the command names none; defaults to the environment's."),
    commands: z
      .strictObject({
        status: PermissionLevel.default("read"),
        diagnose: PermissionLevel.default("read"),
        retrain: PermissionLevel.default("write"),
        help: PermissionLevel.default("read"),
      })
      .default({ status: "read", diagnose: "read", retrain: "write", help: "read" })
      .describe(
        "Permission needed per command; deploy/rollback/promote/abort levels come from each environment.",
      ),
    merge_method: z
      .enum(["merge", "squash", "rebase"])
      .default("squash")
      .describe("Merge method for auto-merge and direct merges."),
    labels: z
      .array(z.string().min(1))
      .default(["meta-controller"])
      .describe("Labels put on the pull requests the bot opens."),
    retrain_workflow: z
      .string()
      .min(1)
      .default("train.yml")
      .describe("Workflow file dispatched by /retrain and by retrain decisions."),
    llm: z
      .strictObject({
        model: z
          .string()
          .min(1)
          .default("gpt-4o-mini")
          .describe("Model name at the OpenAI-compatible endpoint."),
        base_url: z.url().optional().describe("OpenAI-compatible endpoint (Azure, Ollama, vLLM…)."),
        timeout_seconds: z.number().gt(0).max(300).default(30).describe("Timeout of one LLM call."),
        max_retries: z.number().int().min(0).max(5).default(1).describe("Retries of one LLM call."),
      })
      .default({ model: "gpt-4o-mini", timeout_seconds: 30, max_retries: 1 })
      .describe("LLM advisor settings; the API key comes from the bot's OPENAI_API_KEY."),
    allowed_link_hosts: z
      .array(z.string().min(1))
      .default([])
      .describe("Hosts besides the repository's and the registry's that diagnosis comments may link to."),
  })
  .describe("Settings of the Meta-Controller GitHub App for this repository.");
export type BotConfig = z.infer<typeof BotConfig>;
