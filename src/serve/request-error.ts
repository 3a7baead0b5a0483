/** A request the server refuses, with its HTTP status and a message that names what to fix. */
export class RequestError extends Error {
  override name = "RequestError";
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
