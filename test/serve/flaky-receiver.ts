/**
 * A loopback event receiver whose answer can be switched: 200 (accepted),
 * 500 (down) or closed (nothing listens on its port). It records every POST
 * with the status it was answered, so a test can count the events accepted.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One POST as received. */
export interface ReceivedPost {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly authorization: string | undefined;
}

/** A receiver whose availability the test controls. */
export interface FlakyReceiver {
  readonly url: string;
  readonly posts: ReceivedPost[];
  /** Ids of the events answered 2xx, in order (a duplicate shows twice). */
  accepted(): string[];
  /** Answers 200 (true) or 500 (false) from now on. */
  setUp(up: boolean): void;
  /** Stops listening (connections are refused) until {@link FlakyReceiver.reopen}. */
  shut(): Promise<void>;
  /** Listens again on the same port. */
  reopen(): Promise<void>;
  close(): Promise<void>;
}

/** Starts a receiver on a free loopback port, answering 200. */
export async function startFlakyReceiver(): Promise<FlakyReceiver> {
  const posts: ReceivedPost[] = [];
  let up = true;
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const status = up ? 200 : 500;
      posts.push({
        status,
        body: JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>,
        authorization: req.headers.authorization,
      });
      res.writeHead(status, { "content-type": "application/json" }).end("{}");
    });
  };
  let server: Server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const { port } = server.address() as AddressInfo;
  const closeServer = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return {
    url: `http://127.0.0.1:${port}/api/alerts`,
    posts,
    accepted: () => posts.filter((p) => p.status < 300).map((p) => String(p.body.id)),
    setUp: (value) => (up = value),
    shut: closeServer,
    async reopen() {
      server = createServer(handler);
      await new Promise<void>((r) => server.listen(port, "127.0.0.1", () => r()));
    },
    close: () => (server.listening ? closeServer() : Promise.resolve()),
  };
}
