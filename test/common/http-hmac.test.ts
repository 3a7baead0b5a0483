import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { hasValidSignature, SIGNATURE_HEADER, signBody } from "../../src/common/http/hmac.js";

const body = '{"id":"staging.rollout.aborted.1","type":"rollout.aborted"}';

describe("HMAC body signatures", () => {
  it("signs as sha256=<hex HMAC-SHA256>, computed independently with node:crypto", () => {
    const expected = `sha256=${createHmac("sha256", "s3cret").update(body).digest("hex")}`;

    expect(signBody("s3cret", body)).toBe(expected);
    expect(signBody("s3cret", Buffer.from(body))).toBe(expected);
    expect(SIGNATURE_HEADER).toBe("x-meta-controller-signature-256");
  });

  it("accepts its own signature (string or bytes), ignoring case and spaces around it", () => {
    const signature = signBody("s3cret", body);

    expect(hasValidSignature("s3cret", Buffer.from(body), signature)).toBe(true);
    expect(
      hasValidSignature("s3cret", body, ` ${signature.toUpperCase().replace("SHA256", "sha256")} `),
    ).toBe(true);
  });

  it.each([
    ["a tampered body", "s3cret", body.replace("aborted", "completed")],
    ["another secret", "other", body],
    ["a body with one more byte", "s3cret", `${body} `],
  ])("refuses %s", (_name, secret, checked) => {
    const signature = signBody("s3cret", body);

    expect(hasValidSignature(secret, checked, signature)).toBe(false);
  });

  it.each(["", "sha256=", "sha256=00", "not a signature"])("refuses the malformed header %j", (header) => {
    expect(hasValidSignature("s3cret", body, header)).toBe(false);
  });
});
