/**
 * The bounded body reader on a real loopback server: bodies under and at the
 * cap come back whole, over it (declared or streamed in chunks) are refused
 * with a 413 the client can still read.
 */
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { BodyTooLargeError, readBoundedBody } from "../../src/common/http/bounded-body.js";

const LIMIT = 1000;

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((r) => (server === undefined ? r() : server.close(() => r())));
  server = undefined;
});

/** A server that echoes the body's length, or answers the reader's error. */
async function startEcho(): Promise<number> {
  server = createServer((req, res) => {
    readBoundedBody(req, LIMIT).then(
      (body) => res.writeHead(200).end(JSON.stringify({ length: body.length, text: body.toString() })),
      (error: unknown) => {
        const status = error instanceof BodyTooLargeError ? error.status : 500;
        res.writeHead(status).end(JSON.stringify({ error: (error as Error).message }));
      },
    );
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", () => r()));
  return (server.address() as AddressInfo).port;
}

/** Sends `chunks` one write each; with `chunked` no content-length is declared. */
function send(
  port: number,
  chunks: readonly string[],
  chunked: boolean,
): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const total = chunks.reduce((n, c) => n + Buffer.byteLength(c), 0);
    const req = request(
      {
        host: "127.0.0.1",
        port,
        method: "POST",
        headers: chunked ? { "transfer-encoding": "chunked" } : { "content-length": total },
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on("data", (c: Buffer) => parts.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            json: JSON.parse(Buffer.concat(parts).toString()) as Record<string, unknown>,
          }),
        );
      },
    );
    req.on("error", reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

describe("readBoundedBody", () => {
  it.each([
    ["one small chunk", ["hello"], false, 5],
    ["exactly the cap", ["x".repeat(LIMIT)], false, LIMIT],
    ["ten chunks under the cap, chunked encoding", Array<string>(10).fill("y".repeat(99)), true, 990],
  ])("returns %s whole", async (_name, chunks, chunked, length) => {
    const port = await startEcho();

    const { status, json } = await send(port, chunks, chunked);

    expect(status).toBe(200);
    expect(json.length).toBe(length);
    expect(json.text).toBe(chunks.join(""));
  });

  it("refuses a declared length over the cap before reading, naming both sizes", async () => {
    const port = await startEcho();

    const { status, json } = await send(port, ["x".repeat(LIMIT + 1)], false);

    expect(status).toBe(413);
    expect(json.error).toBe(`the body is ${LIMIT + 1} bytes; the limit is ${LIMIT}`);
  });

  it("refuses a chunked body once the bytes received pass the cap, and the client reads the 413", async () => {
    const port = await startEcho();

    const { status, json } = await send(port, Array<string>(50).fill("z".repeat(100)), true);

    expect(status).toBe(413);
    expect(json.error).toBe(`the body is larger than the limit of ${LIMIT} bytes`);
  });
});
