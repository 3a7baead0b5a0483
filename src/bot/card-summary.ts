/**
 * The model card summary a deploy PR carries: what the model is, where it
 * came from and how it did, read from the registry by the reference being
 * deployed. Without a registry (`MODEL_REGISTRY` unset) deploy PRs carry the
 * Action report's metrics and gates only.
 */
import { resolve } from "node:path";
import { sanitizeForGitHub } from "../common/sanitize-markdown.js";
import type { ModelCard } from "../registry/model-card-schema.js";
import type { ModelRegistry } from "../registry/model-registry.js";
import { openConfiguredRegistry } from "../registry/open-registry.js";
import { parseModelReference } from "../registry/reference.js";
import { formatMetric } from "../common/format-number.js";

/** Source of a model card summary (from the registry), optional. */
export type CardSummarySource = (ref: string) => Promise<string | undefined>;

/** Card text is whatever was pushed to the registry: the one sanitiser, no links. */
function safe(text: string, maxLength = 200): string {
  return sanitizeForGitHub(text, { allowedHosts: [], maxLength, style: "plain" });
}

/** A card name, path or JSON value in a code span when that is safe, else sanitised text. */
function code(text: string, maxLength = 200): string {
  return sanitizeForGitHub(text, { allowedHosts: [], maxLength, style: "code" });
}

/** Renders the card as a short markdown table (pure). */
export function renderCardSummary(card: ModelCard): string {
  const lines = [
    "| | |",
    "| --- | --- |",
    `| model | ${code(`${card.name}:${card.version}`)} |`,
    `| task | ${safe(card.task, 40)} (target ${code(card.target)}) |`,
    `| trained | ${safe(card.created_at, 40)} from commit ${code(card.git_commit.slice(0, 7), 9)} |`,
    `| features | ${card.features.map((f) => code(f.name)).join(", ")} |`,
    `| data | ${card.data_files.map((f) => `${code(f.path)} (sha256 ${safe(f.sha256.slice(0, 12), 12)}…)`).join(", ")} |`,
    `| params | ${code(JSON.stringify(card.params), 1000)} |`,
  ];
  if (card.tuning)
    lines.push(
      `| tuning | ${safe(card.tuning.strategy, 40)}, ${card.tuning.trials} trials, best ${safe(card.tuning.metric, 60)} ${formatMetric(card.tuning.best_score)} |`,
    );
  const metrics = Object.entries(card.metrics).map(
    ([name, value]) => `${safe(name, 60)} ${formatMetric(value)}`,
  );
  if (metrics.length > 0) lines.push(`| holdout metrics | ${metrics.join(", ")} |`);
  return lines.join("\n");
}

/**
 * A summary source that pulls the card (digests verified) from `registry`.
 * A model the registry cannot give yields no summary rather than a failed deploy.
 */
export function createRegistryCardSummary(
  registry: ModelRegistry,
  onError: (ref: string, error: unknown) => void = () => undefined,
): CardSummarySource {
  return async (ref) => {
    try {
      const pulled = await registry.pull(parseModelReference(ref));
      return renderCardSummary(pulled.card);
    } catch (error) {
      onError(ref, error);
      return undefined;
    }
  };
}

/**
 * Pulls the card of a model from the registry (digests verified); rejects
 * when the registry does not hold that exact model. A model is pushed only
 * after its gates passed, so a card found is a model whose gates passed.
 */
export type ModelCardSource = (ref: string) => Promise<ModelCard>;

/** The card source of `registry`. */
export function createRegistryCardSource(registry: ModelRegistry): ModelCardSource {
  return async (ref) => (await registry.pull(parseModelReference(ref))).card;
}

/** The card source the environment asks for (`MODEL_REGISTRY`), absent without one. */
export function readModelCardSource(env: NodeJS.ProcessEnv): ModelCardSource | undefined {
  if (!env.MODEL_REGISTRY) return undefined;
  const { registry } = openConfiguredRegistry(
    { registry: env.MODEL_REGISTRY, insecure: env.REGISTRY_INSECURE === "true" },
    { root: resolve("."), env },
  );
  return createRegistryCardSource(registry);
}

/** The summary source the environment asks for: `MODEL_REGISTRY` (and `REGISTRY_INSECURE=true` for a loopback http registry). */
export function readCardSummarySource(env: NodeJS.ProcessEnv): CardSummarySource | undefined {
  if (!env.MODEL_REGISTRY) return undefined;
  const { registry } = openConfiguredRegistry(
    { registry: env.MODEL_REGISTRY, insecure: env.REGISTRY_INSECURE === "true" },
    { root: resolve("."), env },
  );
  return createRegistryCardSummary(registry);
}
