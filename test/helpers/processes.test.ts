/** The process helper keeps its promises: readiness, bounded stops, bounded waits. */
import { describe, expect, it } from "vitest";
import { readListeningUrl, startChild, startProcess, waitFor } from "./processes.js";

const node = process.execPath;

describe("processes", () => {
  it("resolves once the output says ready, with what ready found", async () => {
    // Arrange
    const script =
      'setTimeout(() => console.log("listening on http://127.0.0.1:4321"), 50); setInterval(() => {}, 1000);';

    // Act
    const { child, value } = await startChild("printer", node, ["-e", script], { ready: readListeningUrl });

    // Assert
    expect(value).toBe("http://127.0.0.1:4321");
    expect(await child.stop()).toBeNull(); // ended by SIGTERM: no exit code
    expect(child.process.signalCode).toBe("SIGTERM");
  });

  it("rejects with the output when the process exits before it is ready", async () => {
    const starting = startChild("quitter", node, ["-e", 'console.error("bad flag"); process.exit(3)'], {
      ready: readListeningUrl,
    });
    await expect(starting).rejects.toThrow(/quitter exited with 3:\n.*bad flag/s);
  });

  it("kills with SIGKILL a process that ignores SIGTERM, after the grace period", async () => {
    // Arrange: a process that shrugs off SIGTERM once it has said so.
    const child = startProcess("stubborn", node, [
      "-e",
      'process.on("SIGTERM", () => {}); console.log("armed"); setInterval(() => {}, 1000);',
    ]);
    await waitFor(() => child.stdout().includes("armed"), { timeout: 10_000 });

    // Act
    const code = await child.stop(200);

    // Assert
    expect(code).toBeNull();
    expect(child.process.signalCode).toBe("SIGKILL");
  });

  it("reads the line the server and the bot print", () => {
    expect(readListeningUrl('{"level":30}\nlistening on http://127.0.0.1:5001\n')).toBe(
      "http://127.0.0.1:5001",
    );
    expect(readListeningUrl("meta-controller serve: listening on http://127.0.0.1:5002\n")).toBe(
      "http://127.0.0.1:5002",
    );
    expect(readListeningUrl("starting…\n")).toBeUndefined();
  });

  it("waitFor returns the first value that is not undefined or false, and names what timed out", async () => {
    let calls = 0;
    expect(await waitFor(() => (++calls < 3 ? false : calls), { interval: 1 })).toBe(3);
    await expect(waitFor(() => undefined, { timeout: 30, interval: 5, what: "the moon" })).rejects.toThrow(
      "timed out after 30 ms waiting for the moon",
    );
  });
});
