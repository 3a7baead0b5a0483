/**
 * The server's `/metrics` as Prometheus users read it: a live server (real
 * process) that served a canary, scored drifted and missing inputs and took
 * labels passes `promtool check metrics` with nothing to report, carries the
 * process and Node runtime series, and keeps `le` to real histograms; the
 * shipped Grafana dashboard's queries are valid PromQL over series that
 * server exports.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PushResult } from "../../src/registry/model-registry.js";
import { startServerProcess, type ServerProcess } from "../helpers/processes.js";
import { environmentYaml, pushTestModel } from "./model-fixture.js";

const PROMTOOL = "/usr/bin/promtool";
const DASHBOARD = new URL("../../deploy/grafana/meta-controller-serve.json", import.meta.url);

interface Dashboard {
  templating: { list: { name: string; query: unknown }[] };
  panels: { title: string; type: string; targets?: { expr: string }[] }[];
}

/** Every PromQL query of the dashboard: panel targets and template variable queries, by where they are. */
function dashboardQueries(): { where: string; expr: string }[] {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, "utf8")) as Dashboard;
  const queries: { where: string; expr: string }[] = [];
  for (const panel of dashboard.panels)
    for (const target of panel.targets ?? [])
      queries.push({ where: `panel "${panel.title}"`, expr: target.expr });
  for (const variable of dashboard.templating.list) {
    const match =
      typeof variable.query === "string" ? /^label_values\((.+), \w+\)$/.exec(variable.query) : null;
    if (match) queries.push({ where: `variable $${variable.name}`, expr: match[1]! });
  }
  return queries;
}

/** Grafana's variables replaced by values Prometheus parses, so promtool can check the expressions. */
function withoutGrafanaVariables(expr: string): string {
  return expr
    .replaceAll("$__rate_interval", "1m")
    .replaceAll("$__range", "1h")
    .replace(/\$(model|environment|job)\b/g, ".*");
}

let dir: string;
let server: ServerProcess;
let metrics: string;

const row = (i: number) => ({
  x0: i % 5 === 0 ? null : Math.sin(i),
  x1: Math.cos(i),
  x2: (i % 7) / 7 - 0.5,
  x3: 0.1,
  plan: i % 3 === 0 ? "enterprise" : i % 2 ? "pro" : "basic",
});

/** Runs promtool with `input` on stdin; resolves with what it printed and its exit code. */
function promtool(args: readonly string[], input: string): Promise<{ out: string; code: number }> {
  return new Promise((resolve) => {
    const child = execFile(PROMTOOL, args, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
      resolve({ out: `${stdout}${stderr}`, code });
    });
    child.stdin?.end(input);
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "mc-metrics-"));
  const registry = join(dir, "registry");
  const stable: PushResult = await pushTestModel(registry, "churn", { seed: 7 });
  const candidate: PushResult = await pushTestModel(registry, "churn", { seed: 8 });
  const file = join(dir, "staging.yaml");
  await writeFile(
    file,
    environmentYaml({
      model: "churn",
      registry,
      stable: stable.pinnedRef,
      candidate: candidate.pinnedRef,
      checks: "{ min_requests: 1000 }",
    }),
  );
  server = await startServerProcess(["--env", file, "--root", dir, "--state-dir", join(dir, "state")], {
    FEEDBACK_TOKEN: "fb",
  });
  for (let i = 0; i < 40; i++) {
    const answer = await fetch(`${server.url}/v1/models/churn:predict`, {
      method: "POST",
      body: JSON.stringify({ instances: [row(i), row(i + 1)] }),
      headers: { "x-request-id": `req-${i}` },
    });
    expect(answer.status, await answer.clone().text()).toBe(200);
    const feedback = await fetch(`${server.url}/v1/feedback`, {
      method: "POST",
      body: JSON.stringify({ request_id: `req-${i}`, labels: [i % 2, (i + 1) % 2] }),
      headers: { authorization: "Bearer fb" },
    });
    expect(feedback.status, await feedback.clone().text()).toBe(200);
  }
  // A refused request, so the invalid-request counter has a series.
  await fetch(`${server.url}/v1/models/churn:predict`, { method: "POST", body: "{}" });
  metrics = await (await fetch(`${server.url}/metrics`)).text();
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("/metrics", () => {
  it.runIf(existsSync(PROMTOOL))("passes promtool check metrics with nothing to report", async () => {
    const { out, code } = await promtool(["check", "metrics"], metrics);
    expect(out.trim()).toBe("");
    expect(code).toBe(0);
  });

  it("registers the process and Node runtime metrics", () => {
    expect(metrics).toMatch(/^process_cpu_seconds_total \d/m);
    expect(metrics).toMatch(/^process_resident_memory_bytes \d/m);
    expect(metrics).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
    expect(metrics).toMatch(/^nodejs_heap_size_used_bytes \d/m);
  });

  it("uses le only on histogram buckets, and _ratio on the 0-1 gauges", () => {
    const families = new Map<string, string>();
    for (const line of metrics.split("\n")) {
      const typed = /^# TYPE (\S+) (\S+)$/.exec(line);
      if (typed) families.set(typed[1]!, typed[2]!);
    }
    for (const line of metrics.split("\n")) {
      if (line.startsWith("#") || !/[{,]le="/.test(line)) continue;
      const name = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line)![1]!;
      const family = name.endsWith("_bucket") ? families.get(name.slice(0, -"_bucket".length)) : undefined;
      expect(family, line).toBe("histogram");
    }
    expect(metrics).toMatch(
      /^meta_controller_traffic_weight_ratio\{model="churn",version="v1",role="stable"\} /m,
    );
    expect(metrics).toMatch(/^meta_controller_accuracy_ratio\{model="churn",version="v1"\} /m);
    expect(metrics).toMatch(
      /^meta_controller_feature_values_total\{model="churn",version="v1",feature="x0",upper_bound="\+Inf"\} [1-9]/m,
    );
  });

  it("ships a Grafana dashboard whose every query names only series the server exports", () => {
    // The families the server declares (a labelled series may not have a sample yet).
    const exported = new Set<string>();
    for (const line of metrics.split("\n")) {
      const typed = /^# TYPE (\S+) (\S+)$/.exec(line);
      if (typed === null) continue;
      const [, name, type] = typed;
      if (type === "histogram")
        for (const suffix of ["_bucket", "_sum", "_count"]) exported.add(name! + suffix);
      else exported.add(name!);
    }
    const queries = dashboardQueries();
    expect(queries.length).toBeGreaterThan(20);
    for (const { where, expr } of queries) {
      const named = expr.match(/\b(meta_controller|process|nodejs)_[a-z0-9_]+/g) ?? [];
      expect(named.length, `${where} names no metric`).toBeGreaterThan(0);
      for (const name of named) expect(exported.has(name), `${where} queries ${name}`).toBe(true);
    }
  });

  it.runIf(existsSync(PROMTOOL))("ships a dashboard whose queries promtool parses", async () => {
    const rules = dashboardQueries().map(
      ({ expr }, i) =>
        `      - record: dashboard:query_${i}\n        expr: ${JSON.stringify(withoutGrafanaVariables(expr))}`,
    );
    const file = join(dir, "dashboard-rules.yaml");
    await writeFile(file, `groups:\n  - name: dashboard\n    rules:\n${rules.join("\n")}\n`);
    const { out, code } = await promtool(["check", "rules", file], "");
    expect(out).toMatch(/SUCCESS: \d+ rules found/);
    expect(code).toBe(0);
  });
});
