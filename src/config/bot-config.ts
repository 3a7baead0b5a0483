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
    _extends: z
      .string()
      .min(1)
      .optional()
      .describe(
        "Settings to inherit, as in every Probot app: `repo`, `owner/repo` or `owner/repo:path/to/file.yml` (default path .github/meta-controller.yml); this file's own values win. Without a file here, the organisation's `.github` repository's applies.",
      ),
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
      .unknown()
      .optional()
      .refine((value) => value === undefined, {
        message:
          "`llm` is no longer read from .github/meta-controller.yml: the LLM endpoint, model and key belong to the bot's operator (OPENAI_BASE_URL, OPENAI_MODEL, OPENAI_API_KEY, LLM_ALLOWED_HOSTS, LLM_ALLOWED_MODELS); an environment's policy.advisor may choose among what the operator allows. Remove the `llm` section.",
      })
      .describe(
        "Removed: the LLM endpoint is the bot operator's (see SECURITY.md). A file that still has it is rejected.",
      ),
    allowed_link_hosts: z
      .array(z.string().min(1))
      .default([])
      .describe(
        "Hosts besides the operator's (LINK_ALLOWED_HOSTS, default github.com) that posts about incidents may link to, over https.",
      ),
  })
  .describe("Settings of the Meta-Controller GitHub App for this repository.");
export type BotConfig = z.infer<typeof BotConfig>;
