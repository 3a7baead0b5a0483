/**
 * The HTTP side of the server's life: listening, counting requests in
 * flight, readiness, and the drain at close (readiness turns false, no new
 * connection is accepted, in-flight requests finish or time out).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { sleepUnref } from "../common/http/backoff.js";

/** The lifecycle's whole mutable state. */
export interface LifecycleState {
  /** A model is loaded and serving. */
  ready: boolean;
  /** Close has begun. */
  draining: boolean;
  inFlight: number;
  /** Resolves the drain when the last request in flight ends. */
  drained: (() => void) | null;
}

/** A listening HTTP server and its lifecycle state. */
export interface HttpLifecycle {
  readonly state: LifecycleState;
  readonly server: Server;
  /** Ready and not draining: what `/v2/health/ready` answers. */
  isReady(): boolean;
  /** Listens; resolves with the URL and port bound. */
  listen(port: number, host: string): Promise<{ url: string; port: number }>;
  /** Stops accepting, waits up to `timeoutMs` for requests in flight, then closes every connection. */
  drain(timeoutMs: number): Promise<void>;
  /** Closes the listener at once (a start that failed). */
  close(): Promise<void>;
}

/** Creates the HTTP server around `handle`; it does not listen yet. */
export function createHttpLifecycle(
  handle: (req: IncomingMessage, res: ServerResponse) => void,
): HttpLifecycle {
  const state: LifecycleState = { ready: false, draining: false, inFlight: 0, drained: null };
  const server = createServer({ keepAlive: true }, (req, res) => {
    state.inFlight++;
    res.once("close", () => {
      state.inFlight--;
      if (state.inFlight === 0 && state.drained !== null) state.drained();
    });
    handle(req, res);
  });
  server.keepAliveTimeout = 5_000;
  // A client that never finishes its headers or body cannot hold a socket forever.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  return {
    state,
    server,
    isReady: () => state.ready && !state.draining,
    async listen(port, host) {
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => resolve());
      });
      const address = server.address() as AddressInfo;
      const shown = address.family === "IPv6" ? `[${address.address}]` : address.address;
      return { url: `http://${shown}:${address.port}`, port: address.port };
    },
    async drain(timeoutMs) {
      state.draining = true;
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
      if (state.inFlight > 0) {
        await Promise.race([new Promise<void>((r) => (state.drained = r)), sleepUnref(timeoutMs)]);
      }
      server.closeAllConnections();
      await closed;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
