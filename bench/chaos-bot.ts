/**
 * Chaos bench of the bot: 50 critical alerts across 5 environments, sent
 * the way Alertmanager sends them (retried until acknowledged), while the
 * bot is killed with SIGKILL at random moments and started again on the
 * same state directory. Every acknowledged alert must end in its one
 * correct outcome: the first handled in an environment rolls it back (one
 * PR), the others find nothing left to roll back; so, per environment,
 * exactly one rollback PR, and no journal entry left unfinished.
 *
 * Run: npm run bench:chaos-bot [-- --kills 10 --seed 7]
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createRandom } from "../src/common/random.js";
import { commitFile } from "../test/helpers/fake-github-git.js";
import { waitFor, delay } from "../test/helpers/processes.js";
import {
  D,
  PRODUCTION_V1,
  PRODUCTION_V2,
  startBotHarness,
  type BotHarness,
} from "../test/bot/bot-harness.js";

const ENVIRONMENTS = ["chaos-a", "chaos-b", "chaos-c", "chaos-d", "chaos-e"] as const;
const PER_ENVIRONMENT = 10;
const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const KILLS = arg("--kills", 10);
const random = createRandom(arg("--seed", 7));

function alert(environment: string, n: number): string {
  return JSON.stringify({
    version: "4",
    groupKey: `{}:{alertname="ModelErrorRateHigh",environment="${environment}"}`,
    truncatedAlerts: 0,
    status: "firing",
    receiver: "meta-controller",
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: "http://alertmanager.example:9093",
    alerts: [
      {
        status: "firing",
        labels: {
          alertname: "ModelErrorRateHigh",
          severity: "critical",
          repository: "acme/models",
          environment,
          digest: D.v2,
        },
        annotations: { summary: "error rate above 1%", value: "0.05", threshold: "0.01" },
        startsAt: "2026-12-01T00:00:00.000Z",
        endsAt: "0001-01-01T00:00:00Z",
        fingerprint: `chaos${environment.slice(-1)}${String(n).padStart(11, "0")}`,
      },
    ],
  });
}

/** Posts until the bot answers 202 (it may be dead or restarting), as Alertmanager retries. */
async function deliver(bot: BotHarness, body: string): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await bot.postAlert(body);
      if (res.status === 202) return attempt;
    } catch {
      // Connection refused: the bot is down. Retry.
    }
    await delay(100);
  }
}

/** Entries of the journal not marked done. */
function unfinished(stateDir: string): number {
  let text = "";
  try {
    text = readFileSync(join(stateDir, "alerts.jsonl"), "utf8");
  } catch {
    return 0;
  }
  const open = new Set<string>();
  for (const line of text.split("\n").filter(Boolean)) {
    try {
      const entry = JSON.parse(line) as { t: string; id: string };
      if (entry.t === "add") open.add(entry.id);
      if (entry.t === "done") open.delete(entry.id);
    } catch {
      // A torn line from a kill mid-write was never acknowledged.
    }
  }
  return open.size;
}

async function main(): Promise<void> {
  const bot = await startBotHarness({ latencyMs: 20 });
  try {
    for (const env of ENVIRONMENTS) {
      const file = `environments/${env}.yaml`;
      await commitFile(bot.repoDir, "main", file, PRODUCTION_V1.replace("production", env), `Add ${env}`);
      await commitFile(
        bot.repoDir,
        "main",
        file,
        PRODUCTION_V2.replace("production", env),
        `Promote v2 in ${env}`,
      );
    }
    const bodies = ENVIRONMENTS.flatMap((env) =>
      Array.from({ length: PER_ENVIRONMENT }, (_, n) => alert(env, n)),
    );
    let acknowledged = 0;
    let retries = 0;
    const sender = (async () => {
      for (const body of bodies) {
        retries += (await deliver(bot, body)) - 1;
        acknowledged++;
        await delay(random.next() * 150);
      }
    })();
    let kills = 0;
    while (kills < KILLS || acknowledged < bodies.length) {
      await delay(200 + random.next() * 1200);
      await bot.kill();
      kills++;
      await bot.restart();
    }
    await sender;
    await waitFor(() => unfinished(bot.stateDir()) === 0 || undefined, { timeout: 240_000 });
    const rows = ENVIRONMENTS.map((env) => {
      const pulls = bot.fake.pulls.filter((p) => p.head.startsWith(`meta-controller/rollback/${env}/`));
      return { env, pulls: pulls.length, merged: pulls.filter((p) => p.merged).length };
    });
    const lost = rows.filter((r) => r.pulls === 0).length + unfinished(bot.stateDir());
    const duplicates = rows.reduce((sum, r) => sum + Math.max(0, r.pulls - 1), 0);
    const say = (text: string) => process.stdout.write(`${text}\n`);
    say(`kills (SIGKILL, then restart on the same BOT_STATE_DIR): ${kills}`);
    say(
      `alerts acknowledged (202): ${acknowledged} of ${bodies.length}; deliveries retried while the bot was down: ${retries}`,
    );
    say("\n| environment | alerts | rollback PRs | merged |\n| --- | ---: | ---: | ---: |");
    for (const r of rows) say(`| ${r.env} | ${PER_ENVIRONMENT} | ${r.pulls} | ${r.merged} |`);
    say(
      `\nlost: ${lost}; duplicate PRs: ${duplicates}; journal entries unfinished: ${unfinished(bot.stateDir())}`,
    );
    process.exitCode = lost === 0 && duplicates === 0 && kills >= 10 ? 0 : 1;
  } finally {
    await bot.stop();
  }
}

await main();
