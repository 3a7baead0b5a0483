/**
 * Alert rules rendered from environment checks: the rule text is pinned by
 * snapshots, each check maps to its rule (or to none when the check is
 * absent), bad options are refused by name, and Debian's promtool accepts
 * the output when it is installed.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { fileURLToPath } from "node:url";
import { UsageError } from "../../src/common/errors.js";
import { parseConfigText } from "../../src/config/load-yaml.js";
import { EnvironmentSpec } from "../../src/config/environment.js";
import {
  buildPrometheusRuleGroups,
  renderPrometheusRules,
  type PrometheusRulesOptions,
} from "../../src/deploy/prometheus-rules.js";
import { runCli } from "../helpers/processes.js";

const PROMTOOL = "/usr/bin/promtool";

function environment(text: string): EnvironmentSpec {
  const result = parseConfigText("environments/test.yaml", text, EnvironmentSpec);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.config.value;
}

const FULL = environment(`name: production
model: churn
stable: null
checks:
  error_rate: { max: 0.01 }
  latency_p99: { max_ms: 200 }
  drift: { alpha: 0.01, window: 2000, min_samples: 500 }
  accuracy: { min: 0.72, min_samples: 200 }
  min_requests: 30
`);

const BARE = environment(`name: staging
model: churn
stable: null
`);

describe("buildPrometheusRuleGroups", () => {
  it.each([
    [
      "all four checks",
      FULL,
      [
        "MetaControllerErrorRateHigh",
        "MetaControllerLatencyHigh",
        "MetaControllerDriftDetected",
        "MetaControllerAccuracyLow",
        "MetaControllerRolloutAborted",
      ],
    ],
    ["no checks", BARE, ["MetaControllerRolloutAborted"]],
  ])("renders one rule per check plus the abort rule (%s)", (_case, env, alerts) => {
    // Act
    const [group] = buildPrometheusRuleGroups([env]);

    // Assert
    expect(group?.name).toBe(`meta-controller-${env.name}`);
    expect(group?.rules.map((r) => r.alert)).toEqual(alerts);
  });

  it.each([
    ["MetaControllerErrorRateHigh", "> 0.01", "error_rate"],
    ["MetaControllerLatencyHigh", "> 200", "latency"],
    ["MetaControllerDriftDetected", "< on (model, version) (0.01 / count by", "drift"],
    ["MetaControllerAccuracyLow", "< 0.72", "accuracy"],
  ])("%s compares with the file's threshold and carries kind %s for the bot", (alert, comparison, kind) => {
    // Act
    const rule = buildPrometheusRuleGroups([FULL])[0]!.rules.find((r) => r.alert === alert)!;

    // Assert
    expect(rule.expr).toContain(comparison);
    expect(rule.expr).toContain("group_left (digest)");
    expect(rule.labels).toMatchObject({ environment: "production", model: "churn", kind });
  });

  it("counts min_requests and min_samples before judging", () => {
    // Act
    const rules = buildPrometheusRuleGroups([FULL])[0]!.rules;

    // Assert
    expect(rules[0]!.expr).toContain(">= 30");
    expect(rules[3]!.expr).toContain('meta_controller_feedback_total{model="churn"}) >= 200');
  });

  it("puts the selector, window, for, interval and repository everywhere", () => {
    // Act
    const [group] = buildPrometheusRuleGroups([FULL], {
      window: "10s",
      for: "0s",
      interval: "1s",
      selector: 'job="server-a"',
      repository: "acme/models",
    });

    // Assert
    expect(group?.interval).toBe("1s");
    for (const rule of group!.rules) {
      expect(rule.expr).toContain('job="server-a"');
      expect(rule.labels.repository).toBe("acme/models");
    }
    expect(group!.rules[0]!.expr).toContain("[10s]");
    expect(group!.rules[0]!.for).toBe("0s");
  });

  it.each<[string, PrometheusRulesOptions, RegExp]>([
    ["window", { window: "five minutes" }, /--window "five minutes"/],
    ["for", { for: "1" }, /--for "1"/],
    ["interval", { interval: "-1s" }, /--interval "-1s"/],
    ["selector", { selector: "job=server" }, /--selector "job=server"/],
    ["repository", { repository: "acme" }, /--repository "acme"/],
  ])("refuses a bad %s, naming it", (_name, options, message) => {
    // Act / Assert
    expect(() => buildPrometheusRuleGroups([FULL], options)).toThrow(UsageError);
    expect(() => buildPrometheusRuleGroups([FULL], options)).toThrow(message);
  });

  it("refuses the same environment twice", () => {
    expect(() => buildPrometheusRuleGroups([FULL, FULL])).toThrow(/production is given twice/);
  });

  it("escapes quotes in label values it puts into PromQL", () => {
    // Arrange
    const env = { ...BARE, model: 'we"ird' };

    // Act
    const rule = buildPrometheusRuleGroups([env])[0]!.rules[0]!;

    // Assert
    expect(rule.expr).toContain('model="we\\"ird"');
  });
});

describe("renderPrometheusRules", () => {
  it("renders the rule file of two environments (snapshot)", () => {
    // Act
    const text = renderPrometheusRules([FULL, BARE], { window: "2m", for: "30s" });

    // Assert
    expect(text).toMatchSnapshot();
    expect((parse(text) as { groups: unknown[] }).groups).toHaveLength(2);
  });

  it.skipIf(!existsSync(PROMTOOL))("is accepted by promtool check rules", async () => {
    // Arrange
    const dir = await mkdtemp(join(tmpdir(), "mc-rules-"));
    const file = join(dir, "rules.yml");
    await writeFile(
      file,
      renderPrometheusRules([FULL, BARE], {
        selector: 'job="server"',
        repository: "acme/models",
        interval: "1s",
      }),
    );

    try {
      // Act
      const { stdout } = await promisify(execFile)(PROMTOOL, ["check", "rules", file]);

      // Assert
      expect(stdout).toContain("SUCCESS: 6 rules found");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("is what `meta-controller render prometheus-rules` prints for the example environments", async () => {
    // Arrange
    const root = fileURLToPath(new URL("../..", import.meta.url));

    // Act
    const cli = await runCli(
      [
        "render",
        "prometheus-rules",
        "environments/staging.yaml",
        "environments/production.yaml",
        "--for",
        "0s",
      ],
      { cwd: root },
    );

    // Assert
    expect(cli.code).toBe(0);
    const groups = (parse(cli.stdout) as { groups: { name: string; rules: { alert: string }[] }[] }).groups;
    expect(groups.map((g) => g.name)).toEqual(["meta-controller-staging", "meta-controller-production"]);
    expect(groups[1]!.rules.map((r) => r.alert)).toContain("MetaControllerAccuracyLow");
  });

  it("names the flag when the CLI gets a bad duration", async () => {
    // Act
    const cli = await runCli(
      ["render", "prometheus-rules", "environments/staging.yaml", "--window", "soon"],
      {
        cwd: fileURLToPath(new URL("../..", import.meta.url)),
      },
    );

    // Assert
    expect(cli.code).not.toBe(0);
    expect(cli.stderr).toContain('--window "soon"');
  });
});
