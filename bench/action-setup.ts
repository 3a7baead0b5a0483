/**
 * The Action's set-up time, before and after packaging from a release:
 *
 *   before  `npm ci` of every dependency, dev ones included, and the
 *           TypeScript build of dist/ (`prepare`): what a branch ref runs,
 *           and what every run did before releases carried dist/;
 *   after   `npm ci --omit=dev --ignore-scripts` beside the release's
 *           prebuilt dist/: what a release tag runs.
 *
 * Each on a fresh copy of the action (git archive of HEAD, plus dist/ for
 * "after"), with a cold npm cache (a new, empty folder: every package comes
 * from the registry) and then a warm one (the same folder again, as
 * actions/cache restores it). Rounds interleave the contenders; medians.
 * Node's own set-up is not timed here: before, actions/setup-node put Node 24
 * on the job's PATH on every run; after, the runner's Node (≥ 20.18) is used
 * and nothing is downloaded.
 *
 * Run: npm run bench:action-setup [-- --rounds 3]
 */
import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { median } from "simple-statistics";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const at = process.argv.indexOf("--rounds");
const ROUNDS = at > 0 ? Number(process.argv[at + 1]) : 3;

type Contender = "before" | "after";

/** A fresh copy of the committed action; with dist/ for a release. */
async function copyAction(into: string, release: boolean): Promise<string> {
  const dir = join(into, release ? "release" : "branch");
  await mkdir(dir, { recursive: true });
  await run("bash", ["-c", `git -C "${ROOT}" archive HEAD | tar -x -C "${dir}"`]);
  if (release) await cp(join(ROOT, "dist"), join(dir, "dist"), { recursive: true });
  return dir;
}

/** Seconds one install takes in a fresh copy, with `cache` as npm's cache folder. */
async function timeInstall(contender: Contender, cache: string): Promise<number> {
  const work = await mkdtemp(join(tmpdir(), "mc-setup-bench-"));
  try {
    const dir = await copyAction(work, contender === "after");
    const args =
      contender === "before"
        ? ["ci", "--no-audit", "--no-fund", "--cache", cache]
        : ["ci", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund", "--cache", cache];
    const started = performance.now();
    await run("npm", args, {
      cwd: dir,
      env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: "skip" },
      maxBuffer: 64 * 1024 * 1024,
    });
    return (performance.now() - started) / 1000;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  await run("npm", ["run", "build"], { cwd: ROOT });
  const times: Record<`${Contender}-${"cold" | "warm"}`, number[]> = {
    "before-cold": [],
    "before-warm": [],
    "after-cold": [],
    "after-warm": [],
  };
  for (let round = 0; round < ROUNDS; round++) {
    const order: Contender[] = round % 2 === 0 ? ["before", "after"] : ["after", "before"];
    for (const contender of order) {
      const cache = await mkdtemp(join(tmpdir(), "mc-npm-cache-"));
      try {
        times[`${contender}-cold`].push(await timeInstall(contender, cache));
        times[`${contender}-warm`].push(await timeInstall(contender, cache));
      } finally {
        await rm(cache, { recursive: true, force: true });
      }
    }
    console.error(`round ${round + 1}/${ROUNDS} done`);
  }
  const m = (key: keyof typeof times) => median(times[key]);
  const row = (label: string, cache: "cold" | "warm") =>
    `| ${label} | ${m(`before-${cache}`).toFixed(1)} | ${m(`after-${cache}`).toFixed(1)} | ${(m(`before-${cache}`) / m(`after-${cache}`)).toFixed(2)}× |`;
  console.log(
    `Action set-up (install step), medians of ${ROUNDS} rounds, load average ${loadavg()[0]!.toFixed(2)}`,
  );
  console.log("");
  console.log(
    "| npm cache | before: all deps + build (s) | after: production deps, prebuilt dist/ (s) | before / after |",
  );
  console.log("| --- | ---: | ---: | ---: |");
  console.log(row("cold (empty)", "cold"));
  console.log(row("warm (restored)", "warm"));
}

await main();
