import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parseAuthChallenge } from "../../src/registry/auth.js";
import { openModelRegistry, type OpenRegistryOptions } from "../../src/registry/model-registry.js";
import { parseRegistryLocation } from "../../src/registry/reference.js";
import {
  dockerRegistryMissing,
  type RunningRegistry,
  startDockerRegistry,
} from "../helpers/docker-registry.js";
import { sampleModel } from "./sample-model.js";

describe("parseAuthChallenge", () => {
  it.each([
    [
      'Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:acme/churn:pull,push"',
      {
        scheme: "bearer",
        params: {
          realm: "https://ghcr.io/token",
          service: "ghcr.io",
          scope: "repository:acme/churn:pull,push",
        },
      },
    ],
    ['Basic realm="registry"', { scheme: "basic", params: { realm: "registry" } }],
    [
      'bearer realm=https://auth.example/t, service="a \\"b\\"" , scope="x y"',
      { scheme: "bearer", params: { realm: "https://auth.example/t", service: 'a "b"', scope: "x y" } },
    ],
    ["", undefined],
  ])("parses %j", (header, expected) => {
    expect(parseAuthChallenge(header)).toEqual(expected);
  });
});

const missing = dockerRegistryMissing();
if (missing) console.warn(`skipping docker-registry tests: ${missing}`);

/**
 * A token service in front of a real docker-registry, speaking the Bearer
 * challenge the way GHCR does: anonymous requests get a 401 with realm,
 * service and scope; the token endpoint wants basic credentials (a GitHub
 * token as password) and grants exactly the scope asked for.
 */
interface TokenGateway {
  readonly host: string;
  readonly scopesRequested: string[];
  readonly unexpected: string[];
  close(): Promise<void>;
}

async function startTokenGateway(upstream: RunningRegistry, secret: string): Promise<TokenGateway> {
  const grants = new Map<string, Set<string>>();
  const scopesRequested: string[] = [];
  const unexpected: string[] = [];
  let issued = 0;
  let origin = "";

  const handleToken = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", origin);
    const expected = `Basic ${Buffer.from(`octocat:${secret}`).toString("base64")}`;
    if (req.headers.authorization !== expected || url.searchParams.get("service") !== "test-registry") {
      res.writeHead(401, { "content-type": "application/json" }).end('{"errors":[{"code":"DENIED"}]}');
      return;
    }
    const scopes = url.searchParams.getAll("scope");
    scopesRequested.push(...scopes);
    issued += 1;
    const token = `token-${issued}`;
    grants.set(token, new Set(scopes));
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ token }));
  };

  const handleRegistry = (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? "/", origin).pathname;
    const repo = /^\/v2\/(.+?)\/(?:manifests|blobs|tags)\//.exec(path)?.[1];
    const actions = req.method === "GET" || req.method === "HEAD" ? "pull" : "pull,push";
    const scope = repo === undefined ? "registry:catalog:*" : `repository:${repo}:${actions}`;
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    if (token === undefined || !grants.get(token)?.has(scope)) {
      req.resume();
      res
        .writeHead(401, {
          "www-authenticate": `Bearer realm="${origin}/token",service="test-registry",scope="${scope}"`,
          "content-type": "application/json",
        })
        .end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
      return;
    }
    if (repo?.endsWith("/forbidden")) {
      res
        .writeHead(403, { "content-type": "application/json" })
        .end('{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}');
      return;
    }
    const { authorization: _drop, ...headers } = req.headers;
    const forward = httpRequest(
      {
        host: "127.0.0.1",
        port: Number(upstream.host.split(":")[1]),
        method: req.method,
        path: req.url,
        headers,
      },
      (upstreamResponse) => {
        res.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
        upstreamResponse.pipe(res);
      },
    );
    forward.on("error", (error) => res.writeHead(502).end(error.message));
    req.pipe(forward);
  };

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "").split("?")[0] ?? "";
    if (req.method === "GET" && path === "/token") return handleToken(req, res);
    if (path.startsWith("/v2/")) return handleRegistry(req, res);
    unexpected.push(`${req.method} ${req.url}`);
    res.writeHead(500).end("unexpected request");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  origin = `http://127.0.0.1:${port}`;
  return {
    host: `127.0.0.1:${port}`,
    scopesRequested,
    unexpected,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function openVia(host: string, options: OpenRegistryOptions) {
  const location = parseRegistryLocation(`oci://${host}/acme`, {
    repoRoot: "/",
    insecure: true,
    resolvePath: (a, b) => join(a, b),
  });
  return openModelRegistry(location, { timeoutMs: 10_000, ...options });
}

describe.skipIf(missing !== undefined)(
  "Bearer token challenge (token service in front of docker-registry)",
  () => {
    let upstream: RunningRegistry;
    let gateway: TokenGateway;
    beforeAll(async () => {
      upstream = await startDockerRegistry();
      gateway = await startTokenGateway(upstream, "ghp_test_token");
    });
    afterEach(() => {
      expect(gateway.unexpected).toEqual([]);
    });
    afterAll(async () => {
      await gateway?.close();
      await upstream?.stop();
    });

    it("gets a pull token, then a push token, and pushes and pulls", async () => {
      // Arrange
      const registry = openVia(gateway.host, {
        credentials: { username: "octocat", password: "ghp_test_token" },
      });
      // Act
      const pushed = await registry.push(sampleModel());
      const pulled = await openVia(gateway.host, {
        credentials: { username: "octocat", password: "ghp_test_token" },
      }).pull({ name: "churn", tag: "v1" });
      // Assert
      expect(pulled.digest).toBe(pushed.digest);
      expect(new Set(gateway.scopesRequested)).toEqual(
        new Set(["repository:acme/churn:pull", "repository:acme/churn:pull,push"]),
      );
    });

    it.each([
      [{}, /token service of oci:\/\/.*\/acme refused \(HTTP 401\): no credentials .*set GITHUB_TOKEN/],
      [
        { username: "octocat", password: "wrong" },
        /refused \(HTTP 401\): the credentials .* \(user octocat\) were rejected/,
      ],
    ])("says which credential is missing: %j", async (credentials, message) => {
      const registry = openVia(gateway.host, { credentials });
      await expect(registry.listTags("churn")).rejects.toThrow(message);
    });
  },
);
