/**
 * Starts the bot as a real process (`meta-controller bot`, built) against
 * a fake GitHub at a GHES-style URL, with the repository in a real git
 * repository in a temp folder. Shared by the bot's integration tests and
 * the bench.
 */
import { renderReportMarker } from "../../src/github/report-marker.js";
import { generateKeyPairSync, createHmac } from "node:crypto";
import { buildReferenceProfile } from "../../src/monitoring/profile/profile.js";
import { openConfiguredRegistry } from "../../src/registry/open-registry.js";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { STATE_BRANCH } from "../../src/github/state-branch.js";
import { commitFile, createGitRepo, git } from "../helpers/fake-github-git.js";
import {
  deliverWebhook,
  startFakeGitHub,
  type AutoMergeMode,
  type FakeFailure,
  type FakeGitHub,
} from "../helpers/fake-github.js";
import { issueCommentCreated, type PayloadTarget } from "../helpers/fake-github-webhooks.js";
import { readListeningUrl, startCli, waitFor, type Child } from "../helpers/processes.js";

/** Digests and references used by the scenarios. */
export const D = {
  v1: `sha256:${"1".repeat(64)}`,
  v2: `sha256:${"2".repeat(64)}`,
  v3: `sha256:${"3".repeat(64)}`,
  v4: `sha256:${"4".repeat(64)}`,
  bad: `sha256:${"b".repeat(64)}`,
} as const;
export const MODEL = "customer_churn_prediction";
export const ref = (tag: string, digest: string) => `${MODEL}:${tag}@${digest}`;

/** staging: stable v1, canary; comments everywhere. */
export const STAGING = `# yaml-language-server: $schema=../schemas/environment.schema.json
#
# Staging: canary rollouts, merged by the bot without review.
name: staging
model: ${MODEL}
stable: ${ref("v1", D.v1)} # serving now
candidate: null
strategy:
  type: canary # how new models roll out
  steps: [10, 25, 50, 100]
  interval: 30s
  max_failed_checks: 2
checks:
  error_rate: { max: 0.02 }
rollback:
  automatic: true
  merge: auto
permissions:
  deploy: write
  rollback: write
quarantine: [${D.bad}] # never again
`;

/** production, first version: stable v1. */
export const PRODUCTION_V1 = `# Production: deploys need maintainers, rollbacks merge at once.
name: production
model: ${MODEL}
stable: ${ref("v1", D.v1)}
candidate: null
strategy:
  type: canary
  steps: [5, 25, 50, 100]
  interval: 5m
rollback:
  automatic: true
  merge: auto # roll back without waiting for review
permissions:
  deploy: maintain
  rollback: write
  force: admin
quarantine: []
`;

/** production after v2 was promoted. */
export const PRODUCTION_V2 = PRODUCTION_V1.replace(
  `stable: ${ref("v1", D.v1)}`,
  `stable: ${ref("v2", D.v2)}`,
);

/** qa: a canary of v3 in progress over stable v2. */
export const QA = `name: qa
model: ${MODEL}
stable: ${ref("v2", D.v2)}
candidate: ${ref("v3", D.v3)} # rolling out
strategy:
  type: canary
rollback:
  automatic: true
  merge: auto
quarantine: []
`;

export const BOT_CONFIG = `# Settings of the Meta-Controller GitHub App.
default_environment: staging
merge_method: squash
labels: [meta-controller]
retrain_workflow: train.yml
`;

export const TARGET: PayloadTarget = { owner: "acme", repo: "models", installationId: 4242 };
export const WEBHOOK_SECRET = "webhook-secret-for-tests";
export const ALERT_TOKEN = "alert-token-for-tests";
export const ALERT_HMAC = "alert-hmac-for-tests";

/** A running bot and its fake GitHub. */
export interface BotHarness {
  readonly fake: FakeGitHub;
  readonly botUrl: string;
  /** Every replica's URL; the first is `botUrl`. */
  readonly botUrls: readonly string[];
  readonly repoDir: string;
  readonly outcomeLog: string;
  /** A model of {@link MODEL} pushed to the bot's registry (`MODEL_REGISTRY`): its pinned reference. */
  readonly registeredRef: string;
  /** Process ids of the replicas. */
  readonly pids: readonly number[];
  /** Comments as a user; resolves when the bot answered the webhook. */
  comment(input: {
    issue: number;
    body: string;
    user: string;
    isPullRequest?: boolean;
    userType?: "User" | "Bot";
  }): Promise<number>;
  /** Posts to `/api/alerts` of one replica (the first by default). */
  postAlert(
    body: string | object,
    headers?: Record<string, string>,
    replica?: number,
  ): Promise<{ status: number; json: unknown }>;
  readOutcomes(): Promise<unknown[]>;
  /** The state directory (`BOT_STATE_DIR`) of a replica. */
  stateDir(replica?: number): string;
  /** Kills a replica with SIGKILL (no goodbye: whatever it held in memory is gone). */
  kill(replica?: number): Promise<void>;
  /** Starts a killed or stopped replica again, on the same state directory. */
  restart(replica?: number): Promise<void>;
  /** The decision log shards on the fake repository's `meta-controller/state` branch, by file name. */
  readStateLog(): Promise<Record<string, string>>;
  stderr(): string;
  stop(): Promise<void>;
}

/** Options of {@link startBotHarness}. */
export interface HarnessOptions {
  readonly latencyMs?: number;
  readonly failures?: readonly FakeFailure[];
  readonly logLevel?: "info" | "warn" | "error" | "debug";
  readonly autoMerge?: AutoMergeMode;
  /** Appended to production's second version (e.g. a `policy:` section). */
  readonly productionExtra?: string;
  /** Incident policy of the bot; the plain guardrails unless asked. */
  readonly policy?: "engine" | "guardrail";
  /** Bot processes sharing the fake (replicas). Default 1. */
  readonly replicas?: number;
  /**
   * Where the engine keeps its decision log: a local file (`DECISION_LOG`,
   * the default here) or the repository's `meta-controller/state` branch.
   */
  readonly decisionLog?: "file" | "repository";
  /** Adds commits to the repository before the bot starts (more environments, older histories). */
  readonly prepareRepository?: (repoDir: string) => Promise<void>;
  /** More environment variables of the bot process (they win over the harness's). */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * The bot's documented defaults: no override of write spacing, retry
   * timing, policy (unless `policy` is given) or decision log (unless
   * `decisionLog: "file"`). The tests' default is fast settings.
   */
  readonly documentedDefaults?: boolean;
  /** Files of the owner's `.github` repository (organisation-wide settings), by path. */
  readonly organizationFiles?: Readonly<Record<string, string>>;
}

/** What the tests run the bot with unless asked for its documented defaults: quick retries, no write spacing. */
export const FAST_SETTINGS = {
  GITHUB_RETRY_BASE_MS: "5",
  GITHUB_RATE_LIMIT_UNIT_MS: "5",
  GITHUB_SPACE_WRITES: "false",
} as const;

/** Signs an alert body with the HMAC secret: the signature covers `<timestamp>.<body>`. */
export function signAlert(
  body: string,
  secret = ALERT_HMAC,
  timestamp = Math.floor(Date.now() / 1000),
): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/** The headers of a signed alert: the timestamp (Unix seconds) and the signature over it and the body. */
export function signedAlertHeaders(
  body: string,
  secret = ALERT_HMAC,
  timestamp = Math.floor(Date.now() / 1000),
): Record<string, string> {
  return {
    "x-meta-controller-timestamp": String(timestamp),
    "x-meta-controller-signature-256": signAlert(body, secret, timestamp),
  };
}

/** A card of {@link MODEL} whose holdout AUC is 0.91, as the Action pushes after the gates passed. */
function registeredCard() {
  return {
    schema_version: 1 as const,
    created_at: "2026-11-28T04:00:00.000Z",
    git_commit: "0123456789abcdef0123456789abcdef01234567",
    pipeline: { name: "churn" },
    data_files: [{ path: "data/churn.csv", sha256: "ab".repeat(32), role: "data" as const }],
    task: "classification" as const,
    target: "churn",
    classes: [0, 1],
    features: [{ name: "tenure", type: "numeric" as const }],
    metrics: { auc: 0.91 },
    params: {},
    tuning: null,
    training_time_ms: 1,
    tool_version: "0.1.0",
    reference_profile: buildReferenceProfile({
      nRows: 3,
      columns: [{ kind: "numeric", name: "tenure", values: Float64Array.of(1, 5, 9) }],
    }),
  };
}

/**
 * Writes the Action's report comment, naming the harness's registered model
 * (with `metrics` in its marker when given), on PR `issue` as `github-actions[bot]`.
 */
export function addActionReport(
  harness: BotHarness,
  issue: number,
  metrics?: Readonly<Record<string, number>>,
): void {
  const marker = renderReportMarker({
    pipeline: "churn",
    ref: harness.registeredRef,
    gatesPassed: true,
    ...(metrics === undefined ? {} : { metrics }),
  });
  harness.fake.addComment(issue, `## Model report\n${marker}`, "github-actions[bot]");
}

/** The bot's latest comment on `issue`, or "" when it has not commented there. */
export function lastBotReply(harness: BotHarness, issue: number): string {
  const replies = harness.fake.comments.filter((c) => c.issue === issue && c.user === "meta-controller[bot]");
  return replies[replies.length - 1]?.body ?? "";
}

/** Starts the fake GitHub and the bot process. */
export async function startBotHarness(options: HarnessOptions = {}): Promise<BotHarness> {
  const repoDir = await createGitRepo({
    "environments/staging.yaml": STAGING,
    "environments/production.yaml": PRODUCTION_V1,
    "environments/qa.yaml": QA,
    ".github/meta-controller.yml": BOT_CONFIG,
  });
  await commitFile(
    repoDir,
    "main",
    "environments/production.yaml",
    PRODUCTION_V2 + (options.productionExtra ?? ""),
    "Promote v2 in production",
  );
  await options.prepareRepository?.(repoDir);
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const fake = await startFakeGitHub({
    repoDir,
    owner: TARGET.owner,
    repo: TARGET.repo,
    installationId: TARGET.installationId,
    appPublicKey: publicKey.export({ type: "spki", format: "pem" }).toString(),
    permissions: { writer: "write", reader: "read", maintainer: "maintain", boss: "admin" },
    ...(options.latencyMs === undefined ? {} : { latencyMs: options.latencyMs }),
    ...(options.failures === undefined ? {} : { failures: options.failures }),
    ...(options.autoMerge === undefined ? {} : { autoMerge: options.autoMerge }),
    ...(options.organizationFiles === undefined ? {} : { organizationFiles: options.organizationFiles }),
  });
  const tmp = await mkdtemp(join(tmpdir(), "mc-bot-"));
  const outcomeLog = join(tmp, "outcomes.jsonl");
  const registry = openConfiguredRegistry({}, { root: tmp });
  const registered = await registry.registry.push({
    name: MODEL,
    onnx: Uint8Array.of(8, 1),
    card: registeredCard(),
  });
  const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const spawnReplica = async (index: number): Promise<{ child: Child; url: string }> => {
    const { child, value: url } = await startCli(["bot"], {
      name: "bot",
      env: {
        APP_ID: "1",
        PRIVATE_KEY: pem,
        WEBHOOK_SECRET,
        GHE_HOST: new URL(fake.url).host,
        GHE_PROTOCOL: "http",
        HOST: "127.0.0.1",
        PORT: "0",
        ALERT_TOKEN,
        ALERT_HMAC_SECRET: ALERT_HMAC,
        DEFAULT_REPOSITORY: `${TARGET.owner}/${TARGET.repo}`,
        OUTCOME_LOG: outcomeLog,
        BOT_STATE_DIR: join(tmp, `state-${index}`),
        ...(options.documentedDefaults === true ? {} : FAST_SETTINGS),
        ...(options.policy !== undefined || options.documentedDefaults !== true
          ? { BOT_POLICY: options.policy ?? "guardrail" }
          : {}),
        ...(options.decisionLog === "file" ||
        (options.decisionLog === undefined && options.documentedDefaults !== true)
          ? { DECISION_LOG: join(tmp, "decisions.jsonl") }
          : {}),
        LOG_LEVEL: options.logLevel ?? "warn",
        LOG_FORMAT: "json",
        NODE_ENV: "test",
        MODEL_REGISTRY: join(tmp, ".meta-controller", "registry"),
        ...options.env,
      },
      ready: readListeningUrl,
    });
    return { child, url };
  };
  const replicas = await Promise.all(
    Array.from({ length: options.replicas ?? 1 }, (_, index) => spawnReplica(index)),
  );
  const stderr = () => replicas.map(({ child }) => child.stderr()).join("");
  let nextCommentId = 9000;
  return {
    fake,
    get botUrl() {
      return replicas[0]!.url;
    },
    get botUrls() {
      return replicas.map((r) => r.url);
    },
    repoDir,
    outcomeLog,
    registeredRef: registered.pinnedRef,
    pids: replicas.map(({ child }) => child.process.pid!),
    async comment(input) {
      const commentId = nextCommentId++;
      const replies = () =>
        fake.comments.filter((c) => c.issue === input.issue && c.user === "meta-controller[bot]").length;
      const before = replies();
      fake.addComment(input.issue, input.body, input.user);
      const payload = issueCommentCreated(TARGET, {
        issue: input.issue,
        body: input.body,
        user: input.user,
        isPullRequest: input.isPullRequest ?? true,
        commentId,
        ...(input.userType === undefined ? {} : { userType: input.userType }),
      });
      const status = await deliverWebhook(
        `${replicas[0]!.url}/api/github/webhooks`,
        WEBHOOK_SECRET,
        "issue_comment",
        payload,
      );
      // Probot answers 202 instead of 200 when handling outlasts its timeout;
      // either way the reply comment marks the end.
      if (status !== 200 && status !== 202) throw new Error(`webhook answered ${status}:\n${stderr()}`);
      if (input.userType !== "Bot") await waitFor(() => replies() > before, { timeout: 60_000 });
      return commentId;
    },
    async postAlert(body, headers = { authorization: `Bearer ${ALERT_TOKEN}` }, replica = 0) {
      const text = typeof body === "string" ? body : JSON.stringify(body);
      const res = await fetch(`${replicas[replica]!.url}/api/alerts`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: text,
      });
      const raw = await res.text();
      let json: unknown = raw;
      try {
        json = JSON.parse(raw);
      } catch {
        json = raw;
      }
      return { status: res.status, json };
    },
    async readOutcomes() {
      try {
        return (await readFile(outcomeLog, "utf8"))
          .split("\n")
          .filter(Boolean)
          .map((l) => JSON.parse(l) as unknown);
      } catch {
        return [];
      }
    },
    async readStateLog() {
      let listing: string;
      try {
        listing = await git(repoDir, ["ls-tree", "--name-only", `refs/heads/${STATE_BRANCH}:decisions`]);
      } catch {
        return {};
      }
      const out: Record<string, string> = {};
      for (const name of listing.split("\n").filter(Boolean)) {
        out[name] = (await fake.readFile(STATE_BRANCH, `decisions/${name}`)) ?? "";
      }
      return out;
    },
    stderr,
    stateDir: (replica = 0) => join(tmp, `state-${replica}`),
    async kill(replica = 0) {
      const { child } = replicas[replica]!;
      child.process.kill("SIGKILL");
      await child.stop();
    },
    async restart(replica = 0) {
      replicas[replica] = await spawnReplica(replica);
    },
    async stop() {
      await Promise.all(replicas.map(({ child }) => child.stop()));
      await fake.close();
      await rm(tmp, { recursive: true, force: true });
      await rm(repoDir, { recursive: true, force: true });
    },
  };
}
