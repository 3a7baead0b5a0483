/**
 * Bench of the bot's decisions on the labelled alert set (test/bot/
 * labelled-alerts.ts): alerts built from the rules `render prometheus-rules`
 * emits and events a real model server sent, each labelled by its cause.
 * The bot runs as a process with its defaults (the decision engine, the
 * decision log on the repository's state branch) on the fake GitHub.
 *
 * Prints rollback precision and recall, actions on no-fault controls,
 * wrong targets, silent drops and duplicate PRs, and lists every case that
 * missed.
 *
 * To compare with another build (an older commit built in a worktree), set
 * `META_CONTROLLER_BIN` to its `bin/meta-controller.js`; the set and the
 * scoring stay this checkout's; `--legacy-events` sends server events
 * without `at_fault`, as servers before that field did.
 *
 * Run: npm run bench:decisions [-- --label after] [-- --legacy-events]
 */
import { runLabelledSet } from "../test/bot/labelled-run.js";

const labelIndex = process.argv.indexOf("--label");
const LABEL =
  labelIndex > 0 ? process.argv[labelIndex + 1]! : (process.env.META_CONTROLLER_BIN ?? "this checkout");

// An older bot rejects the `at_fault` field its servers did not send yet.
const legacyEvents = process.argv.includes("--legacy-events");
const { measures: m } = await runLabelledSet({ legacyEvents });
const rows: [string, string][] = [
  ["cases (alerts sent)", `${m.cases} (${m.alerts})`],
  ["cases calling for a rollback or abort", String(m.positives)],
  ["rollback / abort PRs", String(m.rolledBack)],
  ["rollback precision", m.precision.toFixed(3)],
  ["rollback recall", m.recall.toFixed(3)],
  ["actions on no-fault controls", String(m.controlActions.length)],
  ["wrong targets", String(m.wrongTargets.length)],
  ["silent drops", String(m.silentDrops.length)],
  ["duplicate PRs", String(m.duplicatePulls.length)],
];
console.log(`\nlabelled alert set through the bot process — ${LABEL}\n`);
console.log("| measure | value |\n|---|---|");
for (const [name, value] of rows) console.log(`| ${name} | ${value} |`);
for (const [title, list] of [
  ["missed (no PR)", m.missed],
  ["false alarms (PR without cause)", m.falseAlarms],
  ["actions on controls", m.controlActions],
  ["wrong targets", m.wrongTargets],
  ["silent drops", m.silentDrops],
  ["duplicate PRs", m.duplicatePulls],
] as const) {
  if (list.length > 0) console.log(`\n${title}:\n${list.map((l) => `  - ${l}`).join("\n")}`);
}
