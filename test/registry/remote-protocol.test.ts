/**
 * Protocol paths docker-registry 2.8 does not take: paginated tag and
 * catalog listings (`Link: <…>; rel="next"`), a registry that refuses
 * deletes, and one that stores a manifest under another digest. A scripted
 * fetch answers exactly the expected requests, in order, and fails the test
 * on any other call or on an expected call never made.
 */
import { afterEach, describe, expect, it } from "vitest";
import { computeDigest } from "../../src/registry/digest.js";
import { createRemoteStore, parseNextLink } from "../../src/registry/oci-remote.js";

interface Exchange {
  readonly method: string;
  readonly url: string;
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

let pending: Exchange[] = [];
const unexpected: string[] = [];

const scriptedFetch: typeof fetch = (input, init) => {
  const method = init?.method ?? "GET";
  const url = input instanceof Request ? input.url : String(input);
  const next = pending[0];
  if (next?.method !== method || next.url !== url) {
    unexpected.push(`${method} ${url}`);
    return Promise.reject(new Error(`unexpected request ${method} ${url}`));
  }
  pending = pending.slice(1);
  return Promise.resolve(
    new Response(next.body ?? null, { status: next.status, headers: next.headers ?? {} }),
  );
};

function script(...exchanges: Exchange[]) {
  pending = exchanges;
  return createRemoteStore({ baseUrl: "https://registry.test", namespace: "acme", fetch: scriptedFetch });
}

afterEach(() => {
  expect(unexpected).toEqual([]);
  expect(pending).toEqual([]);
  unexpected.length = 0;
});

describe("parseNextLink", () => {
  it.each([
    ['</v2/acme/churn/tags/list?n=2&last=v2>; rel="next"', "/v2/acme/churn/tags/list?n=2&last=v2"],
    ["<https://r.test/v2/_catalog?last=b>; rel=next", "https://r.test/v2/_catalog?last=b"],
    ['</x>; rel="prev"', undefined],
    [null, undefined],
  ])("reads %j", (header, expected) => {
    expect(parseNextLink(header)).toBe(expected);
  });
});

describe("remote store protocol", () => {
  it("follows tag pages", async () => {
    const store = script(
      {
        method: "GET",
        url: "https://registry.test/v2/acme/churn/tags/list",
        status: 200,
        headers: { link: '</v2/acme/churn/tags/list?last=v2&n=2>; rel="next"' },
        body: JSON.stringify({ name: "acme/churn", tags: ["v1", "v2"] }),
      },
      {
        method: "GET",
        url: "https://registry.test/v2/acme/churn/tags/list?last=v2&n=2",
        status: 200,
        body: JSON.stringify({ name: "acme/churn", tags: ["v3"] }),
      },
    );
    expect(await store.listTags("churn")).toEqual(["v1", "v2", "v3"]);
  });

  it("lists only the repositories under its namespace, across catalog pages", async () => {
    const store = script(
      {
        method: "GET",
        url: "https://registry.test/v2/_catalog",
        status: 200,
        headers: { link: '</v2/_catalog?last=acme%2Fchurn>; rel="next"' },
        body: JSON.stringify({ repositories: ["acme/churn", "other/x"] }),
      },
      {
        method: "GET",
        url: "https://registry.test/v2/_catalog?last=acme%2Fchurn",
        status: 200,
        body: JSON.stringify({ repositories: ["acme/team/fraud"] }),
      },
    );
    expect(await store.listRepositories()).toEqual(["churn", "team/fraud"]);
  });

  it("says how to enable deletes when the registry refuses them", async () => {
    const digest = `sha256:${"1".repeat(64)}`;
    const store = script({
      method: "DELETE",
      url: `https://registry.test/v2/acme/churn/manifests/${digest}`,
      status: 405,
      body: JSON.stringify({ errors: [{ code: "UNSUPPORTED", message: "The operation is unsupported." }] }),
    });
    await expect(store.deleteManifest("churn", digest)).rejects.toThrow(
      "oci://registry.test/acme does not allow deletes (HTTP 405); enable them on the registry (docker-registry: storage.delete.enabled)",
    );
  });

  it("fails when the registry stores the manifest under another digest", async () => {
    const bytes = new TextEncoder().encode('{"schemaVersion":2}');
    const other = `sha256:${"2".repeat(64)}`;
    const store = script({
      method: "PUT",
      url: "https://registry.test/v2/acme/churn/manifests/abc1234",
      status: 201,
      headers: { "docker-content-digest": other },
    });
    await expect(
      store.putManifest("churn", {
        bytes,
        digest: computeDigest(bytes),
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        tags: [{ tag: "abc1234", overwrite: true }],
      }),
    ).rejects.toThrow(
      `push manifest churn:abc1234: oci://registry.test/acme stored digest ${other}, expected ${computeDigest(bytes)}`,
    );
  });

  it("reads again after a transient server error (a tag being written by another push)", async () => {
    const manifest = JSON.stringify({ schemaVersion: 2 });
    const store = script(
      { method: "GET", url: "https://registry.test/v2/acme/churn/manifests/v1", status: 500, body: "" },
      { method: "GET", url: "https://registry.test/v2/acme/churn/manifests/v1", status: 200, body: manifest },
    );
    const bytes = await store.getManifest("churn", "v1");
    expect(new TextDecoder().decode(bytes)).toBe(manifest);
  });

  it("reports a server error that lasts with the registry's own message", async () => {
    const failure = {
      method: "GET",
      url: "https://registry.test/v2/acme/churn/manifests/v1",
      status: 500,
      body: JSON.stringify({ errors: [{ code: "UNKNOWN", message: "storage backend unavailable" }] }),
    };
    // The first answer and three reads again.
    const store = script(failure, failure, failure, failure);
    await expect(store.getManifest("churn", "v1")).rejects.toThrow(
      "pull manifest churn:v1 from oci://registry.test/acme: HTTP 500 from https://registry.test/v2/acme/churn/manifests/v1 (UNKNOWN: storage backend unavailable)",
    );
  });
});
