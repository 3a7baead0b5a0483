/**
 * A local OpenAI-compatible server for tests. It listens on 127.0.0.1 on a
 * free port, answers `POST /v1/chat/completions` from a queue of scripted
 * replies, and records every request. Any request it was not scripted for
 * (wrong route, or more calls than replies) gets a 500 and is recorded in
 * `unexpected`, which `assertDone()` turns into a failure, as does a
 * scripted reply that was never used.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One scripted reply. */
export type FakeReply =
  | {
      readonly kind: "completion";
      readonly content: string | null;
      readonly finishReason?: string;
      readonly refusal?: string;
    }
  | {
      readonly kind: "status";
      readonly status: number;
      readonly headers?: Record<string, string>;
      readonly body?: unknown;
    }
  | { readonly kind: "hang" };

/** A request the server received. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage["headers"];
  readonly body: Record<string, unknown>;
}

/** A running fake. */
export interface FakeOpenAI {
  /** Base URL to hand to the client, ending in `/v1`. */
  readonly baseURL: string;
  readonly requests: RecordedRequest[];
  readonly unexpected: string[];
  /** Queues more replies. */
  enqueue(...replies: FakeReply[]): void;
  /** Throws when a request was unexpected or a scripted reply was left unused. */
  assertDone(): void;
  close(): Promise<void>;
}

/** A completion whose message content is `value` serialised as JSON. */
export function jsonReply(value: unknown): FakeReply {
  return { kind: "completion", content: JSON.stringify(value) };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function completionBody(reply: Extract<FakeReply, { kind: "completion" }>, model: string): unknown {
  return {
    id: "chatcmpl-fake",
    object: "chat.completion",
    created: 1_700_000_000,
    model,
    choices: [
      {
        index: 0,
        finish_reason: reply.finishReason ?? "stop",
        logprobs: null,
        message: { role: "assistant", content: reply.content, refusal: reply.refusal ?? null },
      },
    ],
    usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
  };
}

/** Starts the fake with an initial queue of replies. */
export async function startFakeOpenAI(replies: FakeReply[] = []): Promise<FakeOpenAI> {
  const queue = [...replies];
  const requests: RecordedRequest[] = [];
  const unexpected: string[] = [];
  const hanging = new Set<ServerResponse>();

  const server = createServer((req, res) => {
    void (async () => {
      const text = await readBody(req);
      const path = req.url ?? "";
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        // Recorded as empty; the route check below reports the request.
      }
      requests.push({ method: req.method ?? "", path, headers: req.headers, body });
      const reply = req.method === "POST" && path === "/v1/chat/completions" ? queue.shift() : undefined;
      if (reply === undefined) {
        unexpected.push(`${req.method} ${path}`);
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { message: "unexpected request to the fake OpenAI server" } }));
        return;
      }
      if (reply.kind === "hang") {
        hanging.add(res);
        res.on("close", () => hanging.delete(res));
        return;
      }
      if (reply.kind === "status") {
        res.writeHead(reply.status, { "content-type": "application/json", ...reply.headers });
        res.end(JSON.stringify(reply.body ?? { error: { message: `status ${reply.status}` } }));
        return;
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(completionBody(reply, typeof body.model === "string" ? body.model : "fake")));
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    unexpected,
    enqueue(...more) {
      queue.push(...more);
    },
    assertDone() {
      if (unexpected.length > 0)
        throw new Error(`fake OpenAI got unexpected requests: ${unexpected.join(", ")}`);
      if (queue.length > 0) throw new Error(`fake OpenAI has ${queue.length} unused scripted replies`);
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
