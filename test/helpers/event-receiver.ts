/** A loopback HTTP receiver that records the events a server POSTs to it. */
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

/** A recorded POST. */
export interface ReceivedEvent {
  readonly headers: IncomingHttpHeaders;
  readonly body: Record<string, unknown>;
}

/** A loopback receiver of events; answers 200. */
export async function startEventReceiver(): Promise<{
  url: string;
  events: ReceivedEvent[];
  close(): Promise<void>;
}> {
  const events: ReceivedEvent[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      events.push({
        headers: req.headers,
        body: JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>,
      });
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/alerts`,
    events,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
