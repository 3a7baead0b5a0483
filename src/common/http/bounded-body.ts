/**
 * Reads a request body into memory, up to a cap. Every HTTP intake of the
 * project (the model server's routes, the bot's alert route) reads through
 * this one function, so the cap and the way an oversized body is refused are
 * the same everywhere.
 */
import type { IncomingMessage } from "node:http";
import { MetaControllerError } from "../errors.js";

/** A body was larger than the cap; answer it with {@link BodyTooLargeError.status}. */
export class BodyTooLargeError extends MetaControllerError {
  /** The HTTP status that fits: 413 Content Too Large. */
  readonly status = 413;
  constructor(
    /** The cap, in bytes. */
    readonly limit: number,
    /** The size declared by `content-length`, when that is what gave it away. */
    readonly declared?: number,
  ) {
    super(
      declared === undefined
        ? `the body is larger than the limit of ${limit} bytes`
        : `the body is ${declared} bytes; the limit is ${limit}`,
    );
  }
}

/**
 * Resolves with the whole body, or rejects with {@link BodyTooLargeError} as
 * soon as the declared length or the bytes received pass `limit`.
 *
 * After a refusal the rest of the body is still read and dropped, so the
 * caller can answer 413 and the client, which may still be sending, reads
 * that answer instead of a reset connection. A body of one chunk (the usual
 * small JSON request) is returned as that chunk, without a copy.
 */
export function readBoundedBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? "0");
    if (declared > limit) {
      req.resume();
      reject(new BodyTooLargeError(limit, declared));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on("data", (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        chunks.length = 0;
        reject(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (!failed) resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    });
    req.on("error", (error) => {
      if (!failed) reject(error);
    });
  });
}
