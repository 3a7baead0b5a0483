/**
 * Slash commands in PR and issue comments, parsed forgivingly: any case,
 * any spacing, arguments in any order, the command on any line of a plain
 * top-level paragraph of the comment (read with a Markdown parser, so code,
 * quotes, HTML comments and `<details>` never hold a command).
 */
import { fromMarkdown } from "mdast-util-from-markdown";
import type { StrategyType } from "../config/environment.js";

/** Commands the bot knows. */
export const COMMAND_NAMES = [
  "deploy",
  "rollback",
  "promote",
  "abort",
  "status",
  "diagnose",
  "retrain",
  "undo",
  "help",
] as const;
/** One command name. */
export type CommandName = (typeof COMMAND_NAMES)[number];

/** A parsed command. */
export type BotCommand =
  | {
      readonly name: "deploy";
      readonly strategy?: StrategyType;
      readonly ref?: string;
      readonly environment?: string;
      readonly force: boolean;
    }
  | {
      readonly name: "rollback" | "promote" | "abort" | "status" | "diagnose";
      readonly environment?: string;
      readonly force: boolean;
    }
  | { readonly name: "retrain"; readonly pipeline?: string }
  /** On the bot's rollback PR: a person says the automated action was wrong. */
  | { readonly name: "undo" }
  | { readonly name: "help" }
  /** A `/word` the bot does not know: answered with the help text. */
  | { readonly name: "unknown"; readonly word: string }
  /** A known command with arguments it cannot take. */
  | { readonly name: "invalid"; readonly command: CommandName; readonly reason: string };

const REF = /^[a-z0-9]+(?:[._/-][a-z0-9]+)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;
const ENV = /^[a-z0-9][a-z0-9-]*$/;
const STRATEGY_ALIASES: Readonly<Record<string, StrategyType>> = {
  simple: "simple",
  "blue-green": "blue-green",
  bluegreen: "blue-green",
  blue_green: "blue-green",
  canary: "canary",
};

/** A paragraph of the parsed comment. */
type Paragraph = Extract<ReturnType<typeof fromMarkdown>["children"][number], { type: "paragraph" }>;

/** Stands for any inline element that is not plain text: no command argument can contain it. */
const NOT_TEXT = "\u0000";

/** The text of a paragraph, or undefined when it holds HTML (a `<details>`, a comment): nothing in it is a command. */
function paragraphText(paragraph: Paragraph): string | undefined {
  let text = "";
  for (const child of paragraph.children) {
    if (child.type === "html") return undefined;
    if (child.type === "text") text += child.value;
    else if (child.type === "break") text += "\n";
    else text += NOT_TEXT;
  }
  return text;
}

/**
 * Lines of the comment's top-level paragraphs: what a person wrote as
 * plain text. Code (indented or fenced), inline code, quotes, lists,
 * headings, HTML blocks and comments, and `<details>` are not read, so a
 * command quoted, hidden or shown as an example never runs.
 */
function commandLines(body: string): string[] {
  const lines: string[] = [];
  for (const node of fromMarkdown(body).children) {
    if (node.type !== "paragraph") continue;
    const text = paragraphText(node);
    if (text === undefined) continue;
    for (const line of text.split("\n")) lines.push(line.trim());
  }
  return lines;
}

function parseEnvironmentArgs(
  command: CommandName,
  args: readonly string[],
): { environment?: string; force: boolean; rest: string[] } | { error: string } {
  let environment: string | undefined;
  let force = false;
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const lower = arg.toLowerCase();
    if (lower === "--force" || lower === "-f") {
      force = true;
    } else if (lower === "to" || lower === "on" || lower === "in") {
      const next = args[i + 1]?.toLowerCase();
      if (!next) return { error: `\`${arg}\` must be followed by an environment name` };
      if (!ENV.test(next)) return { error: `\`${next}\` is not an environment name` };
      environment = next;
      i++;
    } else if (/^(to|env|environment)[:=]/i.test(arg)) {
      const value = arg.slice(arg.search(/[:=]/) + 1).toLowerCase();
      if (!ENV.test(value)) return { error: `\`${value}\` is not an environment name` };
      environment = value;
    } else {
      rest.push(arg);
    }
  }
  if (
    command !== "deploy" &&
    rest.length === 1 &&
    ENV.test(rest[0]!.toLowerCase()) &&
    environment === undefined
  ) {
    return { environment: rest[0]!.toLowerCase(), force, rest: [] };
  }
  return { ...(environment === undefined ? {} : { environment }), force, rest };
}

function parseLine(line: string): BotCommand | undefined {
  const match = /^\/\s*([A-Za-z-]+)\b(.*)$/.exec(line);
  if (!match) return undefined;
  const word = match[1]!.toLowerCase();
  const args = match[2]!.trim().split(/\s+/).filter(Boolean);
  if (!(COMMAND_NAMES as readonly string[]).includes(word)) return { name: "unknown", word };
  const name = word as CommandName;
  if (name === "help") return { name };
  if (name === "undo") {
    if (args.length > 0) return { name: "invalid", command: name, reason: "takes no arguments" };
    return { name };
  }
  if (name === "retrain") {
    if (args.length > 1) return { name: "invalid", command: name, reason: "give at most one pipeline name" };
    return args[0] === undefined ? { name } : { name, pipeline: args[0] };
  }
  const parsed = parseEnvironmentArgs(name, args);
  if ("error" in parsed) return { name: "invalid", command: name, reason: parsed.error };
  const env = parsed.environment === undefined ? {} : { environment: parsed.environment };
  if (name !== "deploy") {
    if (parsed.rest.length > 0) {
      return { name: "invalid", command: name, reason: `unexpected \`${parsed.rest.join(" ")}\`` };
    }
    return { name, force: parsed.force, ...env };
  }
  let strategy: StrategyType | undefined;
  let ref: string | undefined;
  for (const arg of parsed.rest) {
    const alias = STRATEGY_ALIASES[arg.toLowerCase()];
    if (alias && strategy === undefined) strategy = alias;
    else if (REF.test(arg) && ref === undefined) ref = arg;
    else
      return {
        name: "invalid",
        command: name,
        reason: `\`${arg}\` is neither a strategy nor a model reference`,
      };
  }
  return {
    name,
    force: parsed.force,
    ...env,
    ...(strategy === undefined ? {} : { strategy }),
    ...(ref === undefined ? {} : { ref }),
  };
}

/** The first command in a comment body, or undefined when it holds none. */
export function parseCommand(body: string): BotCommand | undefined {
  for (const line of commandLines(body)) {
    const command = parseLine(line);
    if (command) return command;
  }
  return undefined;
}

/** The help text every unknown command gets. */
export function renderHelp(): string {
  return [
    "**Meta-Controller commands**",
    "",
    "| command | what it does |",
    "| --- | --- |",
    "| `/deploy [simple\\|blue-green\\|canary] [model-ref] [to <env>] [--force]` | open a PR deploying the model (default: the one in this PR's latest report) |",
    "| `/promote [env]` | open a PR making the candidate stable |",
    "| `/abort [env]` | open a PR dropping and quarantining the candidate |",
    "| `/rollback [env]` | open a PR putting the last good model back and quarantining the bad one |",
    "| `/status [env]` | show what serves in the environment |",
    "| `/diagnose [env]` | explain the latest incident of the environment |",
    "| `/retrain [pipeline]` | start the training workflow |",
    "| `/undo` | on the bot's rollback PR: close it if still open, and teach the decision engine it was wrong |",
    "| `/help` | this text |",
  ].join("\n");
}
