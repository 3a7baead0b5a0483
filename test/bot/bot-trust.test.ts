/**
 * What an alert source, an LLM and a repository file can make the bot post
 * or send, with the bot as a real process: the injection corpus rides in
 * alert labels and annotations and in the fake LLM's answers, and no body
 * the fake GitHub receives may ping anyone, show an image, link to a foreign
 * host or carry a forged marker; a repository that names its own LLM
 * endpoint gets neither a request nor the operator's key.
 */
import { afterEach, describe, expect, it } from "vitest";
import { jsonReply, startFakeOpenAI, type FakeOpenAI } from "../helpers/fake-openai.js";
import { loadInjectionCorpus } from "../helpers/injection-corpus.js";
import { findUnsafe } from "../helpers/markdown-safety.js";
import { waitFor } from "../helpers/processes.js";
import { startBotHarness, type BotHarness } from "./bot-harness.js";

const OPERATOR_KEY = "sk-operator-key-0123456789abcdefghij";
const SECRETS = [
  OPERATOR_KEY,
  "sk-proj-abcdefghijklmnopqrstuvwx1234",
  "ghp_0123456789abcdefghijABCDEFGHIJ012345",
];
const FORGED = ["ref=evil:1@sha256:0000", "fingerprint=x decision=y", "meta-controller:diagnosis --&gt;"];

let bot: BotHarness | undefined;
const fakes: FakeOpenAI[] = [];

afterEach(async () => {
  await bot?.stop();
  bot = undefined;
  await Promise.all(fakes.splice(0).map((f) => f.close()));
});

/** `items` cut into `n` groups of about the same size. */
function groups<T>(items: readonly T[], n: number): T[][] {
  return Array.from({ length: n }, (_, i) => items.filter((_, j) => j % n === i));
}

/** Joins attacks into texts of at most `max` characters. */
function pack(attacks: readonly string[], max: number): string[] {
  const out: string[] = [];
  let current = "";
  for (const a of attacks) {
    const next = current === "" ? a : `${current}\n${a}`;
    if (next.length > max && current !== "") {
      out.push(current);
      current = a.slice(0, max);
    } else current = next.slice(0, max);
  }
  if (current !== "") out.push(current);
  return out;
}

/** An LLM answer that carries every attack in its summary and causes. */
function attackReply(corpus: readonly string[]) {
  const texts = pack(corpus, 390);
  return jsonReply({
    summary: texts.slice(0, 3).join("\n").slice(0, 1190),
    probable_causes: texts.slice(3, 8).map((cause) => ({ cause, evidence_ids: ["alertname"] })),
    category: "model_regression",
    suggested_action: "rollback",
    confidence: 0.9,
  });
}

function alert(environment: string, fingerprint: string, attacks: readonly string[], alertname?: string) {
  const [a, b, c, d] = groups(attacks, 4).map((g) => g.join("\n"));
  return {
    status: "firing",
    labels: {
      alertname: alertname ?? a ?? "x",
      environment,
      model: "customer_churn_prediction",
      repository: "acme/models",
      severity: "critical",
      kind: "error_rate",
    },
    annotations: {
      summary: b ?? "",
      description: c ?? "",
      message: d ?? "",
      value: "0.05",
      threshold: "0.01",
    },
    startsAt: "2026-11-28T01:00:00.000Z",
    endsAt: "0001-01-01T00:00:00Z",
    fingerprint,
  };
}

/** Everything the bot wrote on the fake GitHub. */
function postedBodies(h: BotHarness): { where: string; body: string }[] {
  return [
    ...h.fake.pulls.map((p) => ({ where: `PR #${p.number}`, body: `${p.title}\n\n${p.body}` })),
    ...h.fake.issues.map((i) => ({ where: `issue #${i.number}`, body: `${i.title}\n\n${i.body}` })),
    ...h.fake.comments
      .filter((c) => c.user === "meta-controller[bot]")
      .map((c) => ({ where: `comment ${c.id} on #${c.issue}`, body: c.body })),
  ];
}

/**
 * The renderers' own HTML: whole lines of the shapes they write (markers,
 * the diagnosis footer), none with the corpus' payloads.
 */
function ownMarkers(body: string): string[] {
  return body
    .split("\n")
    .filter(
      (l) =>
        /^<!-- meta-controller:[\w:.@/%-]+(?: [\w=:.@/%-]+)* -->$/.test(l.trim()) ||
        /^<sub>Source: [^<>]*\.<\/sub>$/.test(l.trim()),
    )
    .filter((l) => !FORGED.some((f) => l.includes(f)));
}

describe("the bot under injection", () => {
  it("posts no unescaped mention, image, foreign link, forged marker or secret for the whole corpus", async () => {
    const corpus = loadInjectionCorpus();
    const openai = await startFakeOpenAI();
    fakes.push(openai);
    const [forProduction, forStaging, forQa] = groups(corpus, 3);
    bot = await startBotHarness({
      policy: "engine",
      env: { OPENAI_API_KEY: OPERATOR_KEY, OPENAI_BASE_URL: openai.baseURL },
    });
    const alerts = [
      alert("production", "a1a1a1a1a1a1a1a1", forProduction!, "ModelErrorRateHigh"),
      alert("staging", "b2b2b2b2b2b2b2b2", forStaging!),
      alert("qa", "c3c3c3c3c3c3c3c3", forQa!),
    ];
    for (let i = 0; i < alerts.length; i++) openai.enqueue(attackReply(corpus));

    for (const a of alerts) {
      const res = await bot.postAlert({
        version: "4",
        groupKey: "{}",
        status: "firing",
        receiver: "mc",
        alerts: [a],
      });
      expect(res.status).toBe(202);
    }

    const h = bot;
    await waitFor(() => openai.requests.length === 3, { timeout: 60_000 });
    expect(openai.requests[0]!.headers.authorization).toBe(`Bearer ${OPERATOR_KEY}`);
    await waitFor(
      () => {
        const all = postedBodies(h)
          .map((b) => b.body)
          .join("\n");
        return ["a1a1a1a1a1a1a1a1", "b2b2b2b2b2b2b2b2", "c3c3c3c3c3c3c3c3"].every((f) => all.includes(f));
      },
      { timeout: 60_000 },
    );
    const rollback = await waitFor(() => h.fake.pulls.find((p) => p.head.includes("production")));
    const bodies = postedBodies(h);
    // The LLM's words did reach the posts (sanitised), or this test would prove nothing.
    expect(bodies.map((b) => b.body).join("\n")).toMatch(/Summary:/);
    expect(rollback.body).toContain("please look");
    const problems = bodies.flatMap(({ where, body }) => [
      ...findUnsafe(body, { allowedHosts: ["github.com"], ownMarkers: ownMarkers(body) }).map(
        (p) => `${where}: ${p}`,
      ),
      ...FORGED.filter((f) => body.includes(f)).map((f) => `${where}: forged marker payload ${f}`),
      ...SECRETS.filter((s) => body.includes(s)).map((s) => `${where}: secret ${s.slice(0, 8)}…`),
    ]);
    expect(problems).toEqual([]);
  });
});

describe("the bot quoting a comment", () => {
  it.each([
    "a`@team`b",
    "x`<img src=x onerror=alert(1)>`",
    "`![t](https://evil.example/p.png)`",
    // Inside code, so the paragraph stays plain text and the command runs (a paragraph with HTML is not read at all).
    "`<!--` meta-controller:report `-->`",
  ])("answers /deploy %s without a mention, image, foreign link or marker", async (arg) => {
    bot = await startBotHarness();
    const h = bot;

    const pr = await h.fake.addPull({ title: "Quoting", head: "feature/quoting" });

    await h.comment({ issue: pr.number, body: `/deploy ${arg}`, user: "writer" });

    const reply = h.fake.comments.filter((c) => c.user === "meta-controller[bot]").at(-1)!;
    expect(reply.body).toContain("/deploy");
    expect(
      findUnsafe(reply.body, { allowedHosts: ["github.com"], ownMarkers: ownMarkers(reply.body) }),
    ).toEqual([]);
  });
});

describe("the LLM endpoint belongs to the operator", () => {
  it("sends no request and no key to an endpoint a repository names, and says why it used the template", async () => {
    const operator = await startFakeOpenAI();
    const repoChosen = await startFakeOpenAI([attackReply(["repository's endpoint answered"])]);
    fakes.push(operator, repoChosen);
    bot = await startBotHarness({
      policy: "engine",
      productionExtra: `policy:\n  advisor:\n    base_url: ${repoChosen.baseURL}\n`,
      env: { OPENAI_API_KEY: OPERATOR_KEY, OPENAI_BASE_URL: operator.baseURL },
    });

    const res = await bot.postAlert({
      version: "4",
      groupKey: "{}",
      status: "firing",
      receiver: "mc",
      alerts: [alert("production", "d4d4d4d4d4d4d4d4", ["error rate high"], "ModelErrorRateHigh")],
    });

    expect(res.status).toBe(202);
    const h = bot;
    const pr = await waitFor(() => h.fake.pulls.find((p) => p.head.includes("production")), {
      timeout: 60_000,
    });
    expect(pr.body).toContain("LLM not used: `endpoint_not_allowed`");
    expect(repoChosen.requests).toEqual([]);
    expect(operator.requests).toEqual([]);
  });
});
