/**
 * The reload queue on its own: texts are applied one at a time in the order
 * asked for, a text already served is not applied again, an invalid file
 * settles (retrying cannot help) while a failed apply asks for a retry, and
 * every outcome lands in the statuses and the reload counter.
 */
import { describe, expect, it } from "vitest";
import { createSilentLogger } from "../../src/common/logger.js";
import type { EnvironmentSpec } from "../../src/config/environment.js";
import { createEnvironmentReloads, type ReloadRequest } from "../../src/serve/environment-reloads.js";
import { createServerMetrics } from "../../src/serve/metrics.js";
import { environmentYaml } from "./model-fixture.js";

const digest = (c: string) => `churn@sha256:${c.repeat(64)}`;
const yamlOf = (stable: string) => environmentYaml({ model: "churn", registry: "oci:./r", stable });

function setup(apply: (env: EnvironmentSpec) => Promise<void>) {
  const metrics = createServerMetrics(() => []);
  const reloads = createEnvironmentReloads({ apply, metrics, logger: createSilentLogger() });
  return { metrics, reloads };
}

function fromText(text: string, source: ReloadRequest["source"] = "file"): ReloadRequest {
  return {
    source,
    name: `${source}:staging.yaml`,
    read: () => Promise.resolve({ file: "staging.yaml", text }),
  };
}

async function counted(metrics: ReturnType<typeof createServerMetrics>): Promise<Record<string, number>> {
  const { values } = await metrics.reloads.get();
  return Object.fromEntries(values.map((v) => [`${v.labels.source}/${v.labels.outcome}`, v.value]));
}

describe("createEnvironmentReloads", () => {
  it("applies reloads one at a time, in the order asked for", async () => {
    const log: string[] = [];
    let release: () => void = () => undefined;
    const { reloads } = setup(async (env) => {
      log.push(`apply ${env.stable}`);
      if (env.stable === digest("a")) await new Promise<void>((r) => (release = r));
      log.push(`done ${env.stable}`);
    });

    const first = reloads.reload(fromText(yamlOf(digest("a"))));
    const second = reloads.reload({
      ...fromText(yamlOf(digest("b"))),
      read: () => {
        log.push("read b");
        return Promise.resolve({ file: "staging.yaml", text: yamlOf(digest("b")) });
      },
    });
    await new Promise((r) => setTimeout(r, 10));
    release();

    expect(await Promise.all([first, second])).toEqual(["settled", "settled"]);
    expect(log).toEqual([
      `apply ${digest("a")}`,
      `done ${digest("a")}`,
      "read b",
      `apply ${digest("b")}`,
      `done ${digest("b")}`,
    ]);
  });

  it("does not apply the text served again, nor a source that found nothing", async () => {
    const applied: string[] = [];
    const { reloads, metrics } = setup((env) => {
      applied.push(env.stable ?? "");
      return Promise.resolve();
    });
    reloads.served(yamlOf(digest("a")));

    await reloads.reload(fromText(yamlOf(digest("a"))));
    await reloads.reload({ ...fromText(""), source: "url", read: () => Promise.resolve(null) });

    expect(applied).toEqual([]);
    expect(reloads.statuses().map((s) => [s.source, s.outcome])).toEqual([
      ["file", "unchanged"],
      ["url", "unchanged"],
    ]);
    expect(await counted(metrics)).toEqual({});
  });

  it("settles on an invalid file, naming its line, and asks for a retry when applying fails", async () => {
    const { reloads, metrics } = setup(() => Promise.reject(new Error("registry unreachable")));

    const invalid = await reloads.reload(fromText("name: staging\nmodel: [unclosed\n"));
    const broken = await reloads.reload({
      ...fromText(yamlOf(digest("c"))),
      source: "git",
      commit: "abc123",
    });

    expect([invalid, broken]).toEqual(["settled", "retry"]);
    const [file, git] = reloads.statuses();
    expect(file).toMatchObject({ source: "file", outcome: "failed" });
    expect(file?.message).toMatch(/^staging\.yaml:\d+:\d+/);
    expect(git).toMatchObject({
      source: "git",
      outcome: "failed",
      message: "registry unreachable",
      commit: "abc123",
    });
    expect(await counted(metrics)).toEqual({ "file/failed": 1, "git/failed": 1 });
  });

  it("counts an applied text and then treats it as served", async () => {
    const { reloads, metrics } = setup(() => Promise.resolve());

    await reloads.reload(fromText(yamlOf(digest("d"))));
    await reloads.reload(fromText(yamlOf(digest("d"))));

    expect(reloads.statuses()).toMatchObject([{ source: "file", outcome: "unchanged" }]);
    expect(await counted(metrics)).toEqual({ "file/applied": 1 });
  });
});
