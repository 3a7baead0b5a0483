/**
 * `meta-controller serve --env environments/<name>.yaml`: runs the model
 * server until SIGTERM or SIGINT, then drains and exits. Prints one line
 * `listening on <url>` on stdout once the models are loaded and warm, so
 * scripts and tests can read the bound port (with `--port 0`).
 */
import { createHash } from "node:crypto";
import { basename, extname, isAbsolute, join, relative, resolve, sep } from "node:path";
import type { Command } from "commander";
import { UsageError } from "../../common/errors.js";
import { parseDurationMs } from "../../config/duration.js";
import { startModelServer } from "../../serve/start-server.js";
import { createCliContext } from "../context.js";

interface ServeFlags {
  env: string;
  port: string;
  host: string;
  registry?: string;
  insecure?: boolean;
  eventsUrl?: string;
  eventsTokenEnv: string;
  eventsHmacEnv: string;
  pollUrl?: string;
  gitRemote?: string;
  gitRef: string;
  gitCache?: string;
  pollInterval: string;
  maxBody: string;
  predictionBuckets?: string;
  adminTokenEnv?: string;
  feedbackTokenEnv: string;
  stateDir?: string;
  seed: string;
}

function parseInteger(flag: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`${flag} ${text}: expected an integer ${min}–${max}`);
  return n;
}

/** `--poll-interval`: a duration (`30s`, `5m`) or a bare number of seconds. */
function parseInterval(text: string): number {
  const ms = parseDurationMs(/^\d+(?:\.\d+)?$/.test(text) ? Number(text) : text);
  if (ms === undefined || ms < 1000 || ms > 86_400_000)
    throw new UsageError(`--poll-interval ${text}: expected a duration from 1s to 24h, such as 30s or 5m`);
  return ms;
}

/** `--prediction-buckets 0,10,100`: finite, strictly increasing numbers. */
function parseBuckets(text: string): number[] {
  const bounds = text.split(",").map((part) => (part.trim() === "" ? Number.NaN : Number(part)));
  if (bounds.length === 0 || bounds.some((b, i) => !Number.isFinite(b) || (i > 0 && !(b > bounds[i - 1]!))))
    throw new UsageError(
      `--prediction-buckets ${text}: expected comma-separated increasing numbers such as 0,10,100`,
    );
  return bounds;
}

/** The environment file's path inside the repository at `root`, as git names it. */
function pathInRepository(root: string, envFile: string): string {
  const inside = relative(root, envFile);
  if (inside === "" || inside.startsWith("..") || isAbsolute(inside))
    throw new UsageError(
      `--env ${envFile}: with --git-remote, the file must be inside the repository ${root}`,
    );
  return inside.split(sep).join("/");
}

/**
 * The server's state folder: `--state-dir`, else `SERVE_STATE_DIR`, else
 * one per environment file under `.meta-controller/serve/` (the file's name
 * and a hash of its path, so two files of one checkout never share state).
 */
function chooseStateDir(root: string, envFile: string, flag: string | undefined): string {
  const given = flag ?? process.env.SERVE_STATE_DIR;
  if (given !== undefined && given !== "") return resolve(root, given);
  const hash = createHash("sha256").update(relative(root, envFile)).digest("hex").slice(0, 8);
  return join(root, ".meta-controller", "serve", `${basename(envFile, extname(envFile))}-${hash}`);
}

/** Registers `serve`. */
export function registerServeCommand(program: Command): void {
  program
    .command("serve")
    .description("serve the models of an environment file (KServe v1, Open Inference v2) with its rollout")
    .requiredOption("--env <file>", "environment file, e.g. environments/staging.yaml")
    .option("--port <port>", "port to listen on (0 picks a free one)", "8080")
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option("--registry <url>", "registry (oci://host/namespace or a folder); overrides the environment's")
    .option("--insecure", "allow plain http to a loopback registry")
    .option("--events-url <url>", "where events are POSTed (the bot's /api/alerts)")
    .option("--events-token-env <name>", "variable holding the bearer token for --events-url", "ALERT_TOKEN")
    .option(
      "--events-hmac-env <name>",
      "variable holding the HMAC secret for --events-url",
      "ALERT_HMAC_SECRET",
    )
    .option("--poll-url <url>", "also poll this URL for the environment YAML")
    .option(
      "--git-remote <url>",
      "also poll this git remote (https, ssh, a path, file://) for the --env file on --git-ref",
    )
    .option("--git-ref <ref>", "branch, tag or ref of --git-remote", "main")
    .option("--git-cache <dir>", "private bare repository for --git-remote (default: a temporary folder)")
    .option(
      "--poll-interval <duration>",
      "time between polls of --poll-url and --git-remote (30s, 5m)",
      "30s",
    )
    .option("--max-body <bytes>", "largest request body", String(4 * 1024 * 1024))
    .option(
      "--prediction-buckets <list>",
      "comma-separated, increasing bucket bounds of the regression prediction histogram (default ±1, 2, 5 × 10^k)",
    )
    .option("--admin-token-env <name>", "variable holding the token for POST /v1/rollout/{promote,abort}")
    .option(
      "--feedback-token-env <name>",
      "variable holding the bearer token for POST /v1/feedback (unset: feedback is off)",
      "FEEDBACK_TOKEN",
    )
    .option(
      "--state-dir <dir>",
      "this server's state folder: rollout, last-good model, event outbox (default: $SERVE_STATE_DIR, else .meta-controller/serve/<env>-<hash>)",
    )
    .option("--seed <n>", "seed of the traffic split", "1")
    .action(async (flags: ServeFlags, command: Command) => {
      const context = createCliContext(command);
      const port = parseInteger("--port", flags.port, 0, 65535);
      const token = process.env[flags.eventsTokenEnv];
      const hmac = process.env[flags.eventsHmacEnv];
      const admin = flags.adminTokenEnv === undefined ? undefined : process.env[flags.adminTokenEnv];
      const feedbackToken = process.env[flags.feedbackTokenEnv];
      if (flags.adminTokenEnv !== undefined && !admin) {
        throw new UsageError(`--admin-token-env ${flags.adminTokenEnv}: the variable is not set`);
      }
      const envFile = resolve(context.root, flags.env);
      const server = await startModelServer({
        envFile,
        root: context.root,
        port,
        host: flags.host,
        ...(flags.registry === undefined ? {} : { registry: flags.registry }),
        insecure: flags.insecure === true,
        ...(flags.eventsUrl === undefined ? {} : { eventsUrl: flags.eventsUrl }),
        ...(token ? { eventsToken: token } : {}),
        ...(hmac ? { eventsHmacSecret: hmac } : {}),
        ...(flags.pollUrl === undefined ? {} : { pollUrl: flags.pollUrl }),
        ...(flags.gitRemote === undefined
          ? {}
          : {
              git: {
                remote: flags.gitRemote,
                ref: flags.gitRef,
                path: pathInRepository(context.root, envFile),
                ...(flags.gitCache === undefined ? {} : { cacheDir: resolve(context.root, flags.gitCache) }),
              },
            }),
        pollIntervalMs: parseInterval(flags.pollInterval),
        maxBodyBytes: parseInteger("--max-body", flags.maxBody, 1024, 1024 ** 3),
        ...(flags.predictionBuckets === undefined
          ? {}
          : { predictionBuckets: parseBuckets(flags.predictionBuckets) }),
        ...(admin ? { adminToken: admin } : {}),
        ...(feedbackToken ? { feedbackToken } : {}),
        stateDir: chooseStateDir(context.root, envFile, flags.stateDir),
        ...(process.env.GITHUB_REPOSITORY ? { repository: process.env.GITHUB_REPOSITORY } : {}),
        seed: parseInteger("--seed", flags.seed, 0, 2 ** 31 - 1),
        logger: context.logger,
      });
      process.stdout.write(`listening on ${server.url}\n`);
      await new Promise<void>((done) => {
        const stop = (signal: string): void => {
          context.logger.info({ signal }, "draining");
          void server.close().then(done);
        };
        process.once("SIGTERM", () => stop("SIGTERM"));
        process.once("SIGINT", () => stop("SIGINT"));
      });
    });
}
