/**
 * The Action's contract: its inputs and outputs, as `action.yml` declares
 * them (a contract test keeps the two equal), and the parsing of inputs
 * into typed values. Pure: the caller hands in the reader of raw inputs.
 */
import { UsageError } from "../common/errors.js";
import { parseShard, type Shard } from "../tuning/shard.js";

/** Commands the Action runs. */
export const ACTION_COMMANDS = ["train", "evaluate", "validate", "drift"] as const;

/** A command the Action runs. */
export type ActionCommand = (typeof ACTION_COMMANDS)[number];

/** One input as `action.yml` declares it. */
export interface InputDeclaration {
  readonly description: string;
  readonly required: boolean;
  /** Absent: no default. GitHub expressions are kept as written. */
  readonly default?: string;
}

/** Every input of the Action, kebab-case, as in `action.yml`. */
export const ACTION_INPUTS = {
  command: {
    description:
      "What to run: train (tune, fit, evaluate, gate, push), evaluate (re-evaluate the models the environments serve), validate (check the YAML files) or drift (compare the pipeline's data with the serving model's training profile).",
    required: false,
    default: "train",
  },
  pipelines: {
    description: "Glob of pipeline files, relative to the repository root.",
    required: false,
    default: "pipelines/*.yaml",
  },
  "changed-only": {
    description:
      "On pull_request and push events, run only pipelines whose YAML or data files changed since the event's base commit.",
    required: false,
    default: "true",
  },
  registry: {
    description:
      "Where models are pushed and champions pulled: oci://host/namespace or a folder. Default: the repository owner's GHCR namespace, authenticated with the token.",
    required: false,
    default: "",
  },
  "github-token": {
    description: "Token for the PR comment and for GHCR.",
    required: false,
    default: "${{ github.token }}",
  },
  shard: {
    description: "Run only this shard of the tuning study (for example 2/4) and write its trials file.",
    required: false,
    default: "",
  },
  "merge-trials": {
    description:
      "Glob of shard trials files to merge; the best parameters are then fitted, gated and pushed.",
    required: false,
    default: "",
  },
  comment: {
    description: "Post one report comment per pipeline on the pull request, updated in place.",
    required: false,
    default: "true",
  },
  "fail-on-gates": {
    description: "Fail the step when a model fails its gates.",
    required: false,
    default: "true",
  },
} as const satisfies Record<string, InputDeclaration>;

/** The name of an input. */
export type ActionInputName = keyof typeof ACTION_INPUTS;

/** Every output of the Action. With several pipelines, each is a JSON map keyed by pipeline. */
export const ACTION_OUTPUTS = {
  "model-ref": { description: "The pushed model, name:vN@sha256:… (empty when nothing was pushed)." },
  "model-digest": { description: "The pushed model's manifest digest, sha256:…" },
  metrics: { description: "Holdout metrics as JSON." },
  "gates-passed": { description: "true when every gate passed." },
  report: { description: "Path of the markdown report." },
} as const satisfies Record<string, { description: string }>;

/** The name of an output. */
export type ActionOutputName = keyof typeof ACTION_OUTPUTS;

/** The inputs, parsed. */
export interface ActionInputs {
  readonly command: ActionCommand;
  readonly pipelines: string;
  readonly changedOnly: boolean;
  /** Empty: the default GHCR namespace. */
  readonly registry: string;
  readonly githubToken: string;
  readonly shard?: Shard;
  readonly mergeTrials?: string;
  readonly comment: boolean;
  readonly failOnGates: boolean;
}

function parseBoolean(name: ActionInputName, raw: string): boolean {
  const text = raw.trim().toLowerCase();
  if (["true", "yes", "1", "on"].includes(text)) return true;
  if (["false", "no", "0", "off"].includes(text)) return false;
  throw new UsageError(`input ${name} expects true or false; got ${JSON.stringify(raw)}`);
}

/**
 * Parses the inputs. `read` returns the raw value of an input, "" when unset
 * (what the runner gives); declared defaults apply to empty values.
 */
export function parseActionInputs(read: (name: ActionInputName) => string): ActionInputs {
  const get = (name: ActionInputName): string => {
    const raw = read(name).trim();
    const declared: InputDeclaration = ACTION_INPUTS[name];
    return raw === "" ? (declared.default ?? "") : raw;
  };
  const command = get("command");
  if (!(ACTION_COMMANDS as readonly string[]).includes(command))
    throw new UsageError(
      `input command expects one of ${ACTION_COMMANDS.join(", ")}; got ${JSON.stringify(command)}`,
    );
  const shardText = get("shard");
  const mergeTrials = get("merge-trials");
  if (shardText !== "" && mergeTrials !== "")
    throw new UsageError("inputs shard and merge-trials exclude each other: a shard tunes, a merge fits");
  // An unexpanded expression means the input was not given by a runner.
  const token = get("github-token");
  return {
    command: command as ActionCommand,
    pipelines: get("pipelines"),
    changedOnly: parseBoolean("changed-only", get("changed-only")),
    registry: get("registry"),
    githubToken: token.startsWith("${{") ? "" : token,
    ...(shardText !== "" ? { shard: parseShard(shardText) } : {}),
    ...(mergeTrials !== "" ? { mergeTrials } : {}),
    comment: parseBoolean("comment", get("comment")),
    failOnGates: parseBoolean("fail-on-gates", get("fail-on-gates")),
  };
}
