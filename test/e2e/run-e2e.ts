/**
 * `npm run e2e`: the closed loop on one machine, with real processes on
 * 127.0.0.1 — Prometheus and Alertmanager (Debian's), `meta-controller
 * serve`, `meta-controller bot`, a fake GitHub holding a real git
 * repository, and a local OCI layout registry.
 *
 * The story: train v1 (stable in production) → a PR trains v2 → `/deploy
 * canary` opens a PR that merges → the server starts the canary → drifted
 * traffic → the server's guard aborts the canary, and Prometheus →
 * Alertmanager → bot opens the auto-merged rollback PR → the server reloads
 * what `main` says. Prints the timings from the fault and checks the targets.
 * Every process stops by itself; the whole run is bounded.
 *
 * The bot runs with its documented defaults (writes spaced about 1 s apart,
 * the decision engine, the decision log on the state branch) and every
 * fake GitHub call takes 50 ms. `--runs n` (default 1, for CI; 5 for the
 * published figures) repeats the story and prints the median and maximum.
 */
import { execFile } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { median } from "simple-statistics";
import { commitFile, createGitRepo, showFile } from "../helpers/fake-github-git.js";
import { deliverWebhook, startFakeGitHub, type FakeGitHub } from "../helpers/fake-github.js";
import { issueCommentCreated } from "../helpers/fake-github-webhooks.js";
import { renderAlertmanagerConfig, renderPrometheusConfig } from "./monitoring-config.js";
import {
  assertBuilt,
  BIN,
  delay,
  freePort,
  readListeningUrl,
  startChild,
  stopAll,
  waitFor,
} from "../helpers/processes.js";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
const DATA = join(REPO, "data", "customer_data.csv");
const PROMETHEUS = "/usr/bin/prometheus";
const ALERTMANAGER = "/usr/bin/prometheus-alertmanager";
const TARGET = { owner: "acme", repo: "models", installationId: 77 } as const;
const WEBHOOK_SECRET = "e2e-webhook-secret";
const ALERT_TOKEN = "e2e-alert-token";
const MODEL = "customer_churn";
const RUN_BUDGET_MS = 240_000;
const TARGET_A_MS = 2000;
const TARGET_E_MEDIAN_MS = 10_000;
const TARGET_E_MS = 15_000;
/** Added to every fake GitHub call, so the loop pays a round trip as it would against GitHub. */
const GITHUB_LATENCY_MS = 50;

/** Timings of one run, ms from the fault. */
interface RunTimings {
  readonly ok: boolean;
  readonly a: number;
  readonly e: number;
}
const run = promisify(execFile);

const PIPELINE = `name: ${MODEL}
data_processing:
  data_source: { type: csv, path: ${DATA} }
  feature_engineering:
    numeric_features: [age, tenure, monthly_charges]
    categorical_features: [gender, partner]
model_training:
  model_type: logistic_regression
  target_column: churn
  test_size: 0.25
`;

function production(stable: string): string {
  return `# Production, as the team wrote it.
name: production
model: ${MODEL}
stable: ${stable}
candidate: null
strategy:
  type: canary
  steps: [50, 100]
  interval: 10m # long enough that only a failure ends the canary in this run
  max_failed_checks: 2
checks:
  drift: { alpha: 0.01, window: 50, min_samples: 30 }
  min_requests: 10
rollback:
  automatic: true
  merge: auto
permissions:
  deploy: maintain
  rollback: write
quarantine: []
`;
}

const BOT_CONFIG = `default_environment: production
merge_method: squash
labels: [meta-controller]
`;

interface Rollout {
  readonly phase?: string;
  readonly weights?: { stable: number; candidate: number };
  readonly stable?: { digest: string } | null;
  readonly candidate?: { digest: string } | null;
}

/** Arguments of `node` that run the built CLI. */
function cli(args: readonly string[]): string[] {
  assertBuilt();
  return [BIN, ...args];
}

async function train(root: string, registry: string, seed: number): Promise<string> {
  const { stdout } = await run(
    process.execPath,
    cli([
      "--root",
      root,
      "train",
      "pipelines/churn.yaml",
      // The example data is read in place, outside the temp checkout.
      "--allow-outside-root",
      "--registry",
      registry,
      "--seed",
      String(seed),
      "--json",
      "--threads",
      "1",
    ]),
    {
      cwd: REPO,
      maxBuffer: 16 << 20,
    },
  );
  const document = JSON.parse(stdout) as { model?: { pinned_ref?: string } };
  const ref = document.model?.pinned_ref;
  if (!ref) throw new Error(`train did not push a model:\n${stdout.slice(0, 2000)}`);
  return ref;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/**
 * Sits between Alertmanager and the bot and notes when the first firing
 * alert arrives, which is (b); the request is forwarded unchanged.
 */
async function startAlertTap(target: () => string): Promise<{
  url: string;
  firstFiring: () => number | undefined;
  received: string[];
  close(): Promise<void>;
}> {
  let first: number | undefined;
  const received: string[] = [];
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const text = body.toString("utf8");
      received.push(text);
      if (first === undefined && text.includes('"firing"')) first = Date.now();
      try {
        const forwarded = await fetch(`${target()}/api/alerts`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: req.headers.authorization ?? "" },
          body,
        });
        res.writeHead(forwarded.status).end(await forwarded.text());
      } catch (error) {
        res.writeHead(502).end(String(error));
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/alerts`,
    firstFiring: () => first,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Rows of the training data, as the KServe v1 `instances` the server takes. */
async function loadRows(): Promise<Record<string, string | number | null>[]> {
  const lines = (await readFile(DATA, "utf8")).trim().split("\n");
  const header = lines[0]!.split(",");
  return lines.slice(1, 2001).map((line) => {
    const cells = line.split(",");
    const row: Record<string, string | number | null> = {};
    header.forEach((name, i) => {
      const cell = cells[i] ?? "";
      if (["age", "tenure", "monthly_charges"].includes(name)) row[name] = cell === "" ? null : Number(cell);
      else if (["gender", "partner"].includes(name)) row[name] = cell === "" ? null : cell;
    });
    return row;
  });
}

/**
 * Sends rows, `batch` per request, from `senders` concurrent callers until
 * `stop` says so or `limit` requests went out; `drift` moves every numeric
 * input far outside the training data.
 */
async function sendTraffic(
  url: string,
  rows: readonly Record<string, string | number | null>[],
  drift: boolean,
  stop: () => boolean,
  limit: number,
  batch = 1,
  senders = 1,
): Promise<number> {
  let sent = 0;
  let next = 0;
  const sender = async () => {
    while (!stop() && sent < limit) {
      const start = next;
      next += batch;
      sent++;
      const instances = Array.from({ length: batch }, (_, k) => {
        const row = rows[(start + k) % rows.length]!;
        return drift
          ? {
              ...row,
              age: Number(row.age ?? 40) + 60,
              tenure: Number(row.tenure ?? 10) + 90,
              monthly_charges: Number(row.monthly_charges ?? 50) * 4,
            }
          : row;
      });
      const response = await fetch(`${url}/v1/models/${MODEL}:predict`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ instances }),
      });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`predict answered ${response.status}`);
    }
  };
  await Promise.all(Array.from({ length: senders }, sender));
  return sent;
}

async function rollout(url: string): Promise<Rollout> {
  return (await (await fetch(`${url}/v1/rollout`)).json()) as Rollout;
}

function digestOf(ref: string): string {
  return ref.split("@")[1]!;
}

async function scenario(work: string): Promise<RunTimings> {
  const say = (text: string) => process.stdout.write(`${text}\n`);
  const registry = join(work, "registry");
  const build = join(work, "build");
  await mkdir(join(build, "pipelines"), { recursive: true });
  await writeFile(join(build, "pipelines", "churn.yaml"), PIPELINE);

  // 1. v1 is trained and pushed; production's stable is v1.
  const v1 = await train(build, registry, 1);
  say(`1. trained and pushed v1: ${v1}`);
  const repoDir = await createGitRepo({
    "environments/production.yaml": production(v1),
    ".github/meta-controller.yml": BOT_CONFIG,
    "pipelines/churn.yaml": PIPELINE,
  });

  // 2. A PR trains v2.
  const v2 = await train(build, registry, 2);
  if (digestOf(v2) === digestOf(v1)) throw new Error("v1 and v2 have the same digest");
  await run("git", ["-C", repoDir, "branch", "train-v2", "main"]);
  await commitFile(
    repoDir,
    "train-v2",
    "pipelines/churn.yaml",
    PIPELINE.replace("test_size: 0.25", "test_size: 0.25\n  seed: 2"),
    "Train v2",
  );
  say(`2. a PR trains v2: ${v2}`);

  // The fake GitHub, the bot, and a git-sync that keeps the server's checkout on main.
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const fake: FakeGitHub = await startFakeGitHub({
    repoDir,
    owner: TARGET.owner,
    repo: TARGET.repo,
    installationId: TARGET.installationId,
    appPublicKey: publicKey.export({ type: "spki", format: "pem" }).toString(),
    permissions: { maintainer: "maintain" },
    autoMerge: "merge",
    latencyMs: GITHUB_LATENCY_MS,
  });
  try {
    const pr = await fake.addPull({ title: "Train v2 (seed 2)", head: "train-v2" });
    const { child: bot, value: botUrl } = await startChild("bot", process.execPath, cli(["bot"]), {
      env: {
        ...process.env,
        APP_ID: "1",
        PRIVATE_KEY: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
        WEBHOOK_SECRET,
        GHE_HOST: new URL(fake.url).host,
        GHE_PROTOCOL: "http",
        HOST: "127.0.0.1",
        PORT: "0",
        ALERT_TOKEN,
        DEFAULT_REPOSITORY: `${TARGET.owner}/${TARGET.repo}`,
        BOT_STATE_DIR: join(work, "bot-state"),
        LOG_LEVEL: "warn",
        LOG_FORMAT: "json",
      },
      ready: readListeningUrl,
    });

    const botOutput = () => bot.output();
    const checkout = join(work, "checkout");
    await mkdir(join(checkout, "environments"), { recursive: true });
    const envFile = join(checkout, "environments", "production.yaml");
    let synced = (await showFile(repoDir, "main", "environments/production.yaml"))!;
    await writeFile(envFile, synced);
    let syncing = true;
    const sync = (async () => {
      while (syncing) {
        const text = await showFile(repoDir, "main", "environments/production.yaml");
        if (text !== undefined && text !== synced) {
          await writeFile(`${envFile}.tmp`, text);
          await run("mv", [`${envFile}.tmp`, envFile]);
          synced = text;
        }
        await delay(100);
      }
    })();

    try {
      const { value: serverUrl } = await startChild(
        "server",
        process.execPath,
        cli(["--root", checkout, "serve", "--env", envFile, "--port", "0", "--registry", registry]),
        {
          ready: readListeningUrl,
        },
      );

      // The monitoring stack: rules rendered from the environment file.
      const rulesFile = join(work, "rules.yml");
      await run(
        process.execPath,
        cli([
          "--root",
          checkout,
          "render",
          "prometheus-rules",
          envFile,
          "--window",
          "5s",
          "--for",
          "0s",
          "--interval",
          "1s",
          "--repository",
          `${TARGET.owner}/${TARGET.repo}`,
          "--out",
          rulesFile,
        ]),
      );
      const tap = await startAlertTap(() => botUrl);
      const amPort = await freePort();
      await writeFile(
        join(work, "alertmanager.yml"),
        renderAlertmanagerConfig({ webhookUrl: tap.url, token: ALERT_TOKEN }),
      );
      await startChild(
        "alertmanager",
        ALERTMANAGER,
        [
          `--config.file=${join(work, "alertmanager.yml")}`,
          `--storage.path=${join(work, "am-data")}`,
          `--web.listen-address=127.0.0.1:${amPort}`,
          "--cluster.listen-address=",
        ],
        {
          ready: async () =>
            (await fetch(`http://127.0.0.1:${amPort}/-/ready`).catch(() => undefined))?.ok ? true : undefined,
        },
      );
      const promPort = await freePort();
      await writeFile(
        join(work, "prometheus.yml"),
        renderPrometheusConfig({
          server: new URL(serverUrl).host,
          alertmanager: `127.0.0.1:${amPort}`,
          rulesFile,
        }),
      );
      await startChild(
        "prometheus",
        PROMETHEUS,
        [
          `--config.file=${join(work, "prometheus.yml")}`,
          `--storage.tsdb.path=${join(work, "prom-data")}`,
          `--web.listen-address=127.0.0.1:${promPort}`,
        ],
        {
          ready: async () =>
            (await fetch(`http://127.0.0.1:${promPort}/-/ready`).catch(() => undefined))?.ok
              ? true
              : undefined,
        },
      );
      say(
        `   server ${serverUrl}, bot ${botUrl}, prometheus :${promPort}, alertmanager :${amPort}, fake GitHub ${fake.url}`,
      );

      // 3. `/deploy canary` on the PR opens a deploy PR, which merges.
      const rows = await loadRows();
      await sendTraffic(serverUrl, rows, false, () => false, 20);
      const status = await deliverWebhook(
        `${botUrl}/api/github/webhooks`,
        WEBHOOK_SECRET,
        "issue_comment",
        issueCommentCreated(TARGET, {
          issue: pr.number,
          body: `/deploy canary ${v2} to production`,
          user: "maintainer",
          isPullRequest: true,
          commentId: 5001,
        }),
      );
      if (status !== 200 && status !== 202) throw new Error(`webhook answered ${status}`);
      const deployPr = await waitFor(() => fake.pulls.find((p) => p.title.startsWith("Deploy") && p.merged), {
        timeout: 30_000,
        what: "the deploy PR to merge",
      });
      say(`3. /deploy canary opened #${deployPr.number} "${deployPr.title}", merged`);

      // 4. The server picks up the change and starts the canary.
      await waitFor(
        async () => {
          const r = await rollout(serverUrl);
          return r.candidate?.digest === digestOf(v2) && r.phase === "progressing";
        },
        { timeout: 15_000, what: "the canary to start" },
      );
      say("4. the server started the canary of v2");

      // 5. Normal traffic, then drifted traffic: the fault starts now.
      await sendTraffic(serverUrl, rows, false, () => false, 30);
      await delay(2500); // let Prometheus scrape the healthy canary
      const t0 = Date.now();
      let aborted = false;
      const drift = sendTraffic(serverUrl, rows, true, () => aborted, 5000, 4, 4);
      const tA = await waitFor(
        async () => {
          const r = await rollout(serverUrl);
          return r.phase === "aborted" && r.weights?.stable === 1 ? Date.now() : undefined;
        },
        { timeout: 20_000, interval: 10, what: "traffic back on stable" },
      );
      aborted = true;
      await drift;
      say("5. drifted traffic sent to the canary");
      say(`6. the server's guard aborted the canary; traffic is on v1`);

      // 6. Prometheus fires, Alertmanager posts to the bot, the bot opens the rollback PR and it merges.
      const tB = await waitFor(() => tap.firstFiring(), { timeout: 30_000, what: "the alert at the bot" });
      const rollbackPr = await waitFor(() => fake.pulls.find((p) => /^(Roll back|Abort)/.test(p.title)), {
        timeout: 30_000,
        what: "the rollback PR",
      });
      const tC = Date.now();
      await waitFor(() => rollbackPr.merged, {
        timeout: 30_000,
        interval: 10,
        what: "the rollback PR to merge",
      });
      const tD = Date.now();
      const main = (await showFile(repoDir, "main", "environments/production.yaml"))!;
      const mainOk =
        main.includes(`stable: ${v1}`) && main.includes(digestOf(v2)) && /candidate: null/.test(main);
      say(
        `   rollback PR #${rollbackPr.number} "${rollbackPr.title}" merged; main: v1 stable, v2 quarantined: ${mainOk}`,
      );

      const alertNames = new Set<string>();
      for (const text of tap.received) {
        const payload = JSON.parse(text) as { alerts?: { labels?: { alertname?: string } }[] };
        for (const alert of payload.alerts ?? []) alertNames.add(alert.labels?.alertname ?? "?");
      }
      say(`   alerts Alertmanager sent to the bot: ${[...alertNames].join(", ")}`);

      // 7. The server reloads the merged state: Git and the data plane agree.
      const tE = await waitFor(
        async () => {
          const r = await rollout(serverUrl);
          return r.stable?.digest === digestOf(v1) && (r.candidate ?? null) === null ? Date.now() : undefined;
        },
        { timeout: 30_000, interval: 20, what: "the server to match main" },
      );
      say("7. the server reloaded main: v1 stable, no candidate");

      // The PR may be opened before the alert when the bot hears of the abort
      // through the abort rule; every time counts from the fault.
      const table = [
        ["(a) traffic back on stable at the server", tA - t0, `< ${TARGET_A_MS} ms`],
        ["(b) alert reaching the bot", tB - t0, ""],
        ["(c) rollback PR opened", tC - t0, ""],
        ["(d) rollback PR merged", tD - t0, ""],
        ["(e) server state matches main", tE - t0, `< ${TARGET_E_MS} ms`],
      ] as const;
      say("\n| from the fault to | ms | target |\n| --- | ---: | --- |");
      for (const [label, ms, target] of table) say(`| ${label} | ${ms} | ${target} |`);
      say(
        `\nFor comparison: the seed promises < 30 000 ms; Flagger's default analysis needs interval 60 s × threshold (5) = 300 000 ms.`,
      );
      const ok = mainOk && tA - t0 < TARGET_A_MS && tE - t0 < TARGET_E_MS && rollbackPr.merged;
      if (process.env.E2E_VERBOSE) {
        say(`\nbot output:\n${botOutput()}`);
        say("GitHub calls after the alert (ms from the fault, duration):");
        for (const call of fake.calls.filter((c) => fake.startedAt + c.at >= tB)) {
          say(
            `  ${fake.startedAt + call.at - t0} +${call.durationMs} ${call.method} ${call.path} ${call.status}`,
          );
        }
      }
      if (fake.unexpected.length > 0)
        say(
          `fake GitHub saw unexpected calls: ${fake.unexpected.map((c) => `${c.method} ${c.path}`).join(", ")}`,
        );
      await tap.close();
      return { ok: ok && fake.unexpected.length === 0, a: tA - t0, e: tE - t0 };
    } finally {
      syncing = false;
      await sync;
    }
  } finally {
    await stopAll();
    await fake.close();
    await rm(repoDir, { recursive: true, force: true });
  }
}

/** `--runs n`, default 1. */
function runsWanted(argv: readonly string[]): number {
  const at = argv.indexOf("--runs");
  if (at === -1) return 1;
  const n = Number(argv[at + 1]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--runs ${argv[at + 1]}: expected a whole number ≥ 1`);
  return n;
}

/** One run in its own folder, bounded by {@link RUN_BUDGET_MS}. */
async function runOnce(index: number): Promise<RunTimings | undefined> {
  const work = await mkdtemp(join(tmpdir(), `mc-e2e-${index}-`));
  const guard = setTimeout(() => {
    process.stderr.write(`e2e: run ${index} over its ${RUN_BUDGET_MS} ms budget; stopping everything\n`);
    void stopAll().finally(() => process.exit(1));
  }, RUN_BUDGET_MS);
  try {
    return await scenario(work);
  } catch (error) {
    process.stderr.write(
      `e2e failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return undefined;
  } finally {
    clearTimeout(guard);
    await stopAll();
    await rm(work, { recursive: true, force: true });
  }
}

function printSummary(results: readonly RunTimings[]): boolean {
  const a = results.map((r) => r.a);
  const e = results.map((r) => r.e);
  const say = (text: string) => process.stdout.write(`${text}\n`);
  say(
    `\nOver ${results.length} run(s), bot with its documented defaults, fake GitHub +${GITHUB_LATENCY_MS} ms a call:`,
  );
  say("| from the fault to | median ms | max ms | target |\n| --- | ---: | ---: | --- |");
  say(`| stable at the server | ${median(a)} | ${Math.max(...a)} | max < ${TARGET_A_MS} ms |`);
  say(
    `| server matching main | ${median(e)} | ${Math.max(...e)} | median < ${TARGET_E_MEDIAN_MS} ms, max < ${TARGET_E_MS} ms |`,
  );
  const medianMet = median(e) < TARGET_E_MEDIAN_MS;
  say(`median target (server matching main < ${TARGET_E_MEDIAN_MS} ms): ${medianMet ? "met" : "MISSED"}`);
  // The hard bounds fail the run; the median is a goal, reported (one CI run is no median).
  return Math.max(...a) < TARGET_A_MS && Math.max(...e) < TARGET_E_MS;
}

async function main(): Promise<void> {
  for (const binary of [PROMETHEUS, ALERTMANAGER]) {
    if (!existsSync(binary)) {
      process.stderr.write(`${binary} is missing: apt-get install prometheus prometheus-alertmanager\n`);
      process.exit(2);
    }
  }
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => void stopAll().finally(() => process.exit(130)));
  }
  const runs = runsWanted(process.argv.slice(2));
  const results: RunTimings[] = [];
  for (let i = 1; i <= runs; i++) {
    const result = await runOnce(i);
    if (result === undefined) break;
    results.push(result);
  }
  const met = results.length > 0 && printSummary(results);
  const ok = results.length === runs && results.every((r) => r.ok) && met;
  process.stdout.write(ok ? "e2e: passed\n" : "e2e: FAILED\n");
  process.exitCode = ok ? 0 : 1;
}

await main();
