/** `meta-controller bot` with a private key that is not one: the error names the variable, not Probot's option. */
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readListeningUrl, runCli, startCli } from "../helpers/processes.js";

const dir = mkdtempSync(join(tmpdir(), "mc-bot-key-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const BASE_ENV = {
  APP_ID: "1",
  WEBHOOK_SECRET: "secret",
  PORT: "0",
  HOST: "127.0.0.1",
  BOT_STATE_DIR: join(dir, "state"),
  PRIVATE_KEY: "",
  PRIVATE_KEY_PATH: "",
};

describe("meta-controller bot with an invalid private key", () => {
  it("says PRIVATE_KEY could not be parsed, without quoting it", async () => {
    const run = await runCli(["bot"], { env: { ...BASE_ENV, PRIVATE_KEY: "not-a-key-1234" } });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      "the GitHub App's private key in PRIVATE_KEY could not be parsed: it is neither PEM text nor the base64 of one",
    );
    expect(run.stderr).not.toContain("not-a-key-1234");
    expect(run.stderr).not.toContain("privateKey option is required");
  });

  it("names PRIVATE_KEY_PATH and the file when the file holds a broken PEM", async () => {
    const path = join(dir, "broken.pem");
    writeFileSync(path, "-----BEGIN RSA PRIVATE KEY-----\nMIIBroken\n-----END RSA PRIVATE KEY-----\n");
    const run = await runCli(["bot"], { env: { ...BASE_ENV, PRIVATE_KEY_PATH: path } });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `the GitHub App's private key in PRIVATE_KEY_PATH=${path} could not be parsed: its PEM text is not a valid private key`,
    );
  });

  it("starts with a key pasted with \\n escapes, as a .env file holds it", async () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const pem = privateKey.export({ type: "pkcs1", format: "pem" }).toString();
    const { child, value: url } = await startCli(["bot"], {
      name: "bot",
      env: { ...BASE_ENV, PRIVATE_KEY: pem.trim().replace(/\n/g, "\\n") },
      ready: readListeningUrl,
    });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await child.stop();
  });
});
