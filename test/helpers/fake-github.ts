/**
 * A local GitHub that speaks enough of the REST and GraphQL APIs for the bot
 * and the Action, at a GHES-style base URL (`<url>/api/v3`, GraphQL at
 * `<url>/api/graphql`). The repository lives in a real git repository, so a
 * merged pull request really changes `main`, and contents-API writes are
 * commits checked against the blob sha under one lock (409 when stale, 422
 * when a file exists and no sha was given), as GitHub checks them.
 *
 * Every call is recorded. A call to a route the fake does not know, or
 * without a token it issued, is answered 404/401 and listed in `unexpected`;
 * under vitest such a call fails the test that made it by itself (see
 * `fake-github-guard.ts`), with no check needed in the test file.
 */
import { createHash, createHmac, verify } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { commitFile, git, showFile, squashMerge } from "./fake-github-git.js";
import { watchUnexpectedCalls } from "./fake-github-guard.js";

/** One recorded request. */
export interface RecordedCall {
  readonly method: string;
  /** Path without the `/api/v3` prefix, with the query string. */
  readonly path: string;
  readonly status: number;
  readonly body: unknown;
  /** Milliseconds since the fake started, when the request arrived. */
  readonly at: number;
  /** Milliseconds the fake spent on the request, added latency included. */
  durationMs: number;
}

/** A failure to inject: the first `times` matching calls get `status`. */
export interface FakeFailure {
  readonly method: string;
  readonly path: RegExp;
  readonly status: number;
  readonly times: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly message?: string;
}

/** A pull request held by the fake. */
export interface FakePull {
  number: number;
  title: string;
  body: string;
  head: string;
  headRepo: string;
  base: string;
  state: "open" | "closed";
  merged: boolean;
  mergeCommit: string | null;
  labels: string[];
  autoMerge: string | null;
  /** Login of the PR's author: the app's bot user for PRs the bot opened. */
  user: string;
}

/** An issue (not a pull request) held by the fake. */
export interface FakeIssue {
  number: number;
  title: string;
  body: string;
  labels: string[];
  state: "open" | "closed";
}

/** A comment held by the fake. */
export interface FakeComment {
  id: number;
  issue: number;
  body: string;
  user: string;
}

/** A deployment and its statuses. */
export interface FakeDeployment {
  id: number;
  ref: string;
  environment: string;
  description: string;
  payload: unknown;
  statuses: string[];
}

/**
 * What `enablePullRequestAutoMerge` does: `merge` accepts and merges at once
 * (as if the checks passed), `queue` accepts and waits (checks pending),
 * `clean_status` and `not_allowed` refuse with GitHub's messages.
 */
export type AutoMergeMode = "merge" | "queue" | "clean_status" | "not_allowed";

/** Options of {@link startFakeGitHub}. */
export interface FakeGitHubOptions {
  /** A git repository whose `main` branch is the default branch. */
  readonly repoDir: string;
  readonly owner?: string;
  readonly repo?: string;
  /** Delay added to every answer, in ms. */
  readonly latencyMs?: number;
  readonly failures?: readonly FakeFailure[];
  /** login → role name (`read`, `triage`, `write`, `maintain`, `admin`); others are not collaborators. */
  readonly permissions?: Readonly<Record<string, string>>;
  /**
   * What `enablePullRequestAutoMerge` does: `merge` accepts and merges at
   * once (as if the checks passed), `clean_status` and `not_allowed` refuse
   * with GitHub's messages.
   */
  readonly autoMerge?: AutoMergeMode;
  readonly installationId?: number;
  /** Login the installation token comments as (`meta-controller[bot]`; the Action's is `github-actions[bot]`). */
  readonly commentAuthor?: string;
  /** When given, app JWTs are verified against this PEM public key. */
  readonly appPublicKey?: string;
  /** Files of the owner's `.github` repository (organisation-wide settings), by path. */
  readonly organizationFiles?: Readonly<Record<string, string>>;
}

/** A running fake GitHub. */
export interface FakeGitHub {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** GHES-style REST base URL, `<url>/api/v3`. */
  readonly apiUrl: string;
  /** Epoch ms the fake started; `RecordedCall.at` counts from it. */
  readonly startedAt: number;
  readonly calls: RecordedCall[];
  readonly unexpected: RecordedCall[];
  readonly pulls: FakePull[];
  readonly issues: FakeIssue[];
  readonly comments: FakeComment[];
  readonly reactions: { comment: number; content: string }[];
  /** Reactions on issues and pull requests themselves. */
  readonly issueReactions: { issue: number; content: string; user: string }[];
  readonly deployments: FakeDeployment[];
  readonly dispatches: { workflow: string; ref: string; inputs: unknown }[];
  /** Adds a pull request from `head` (a branch that must exist, or a fork's). */
  addPull(input: {
    title: string;
    head: string;
    headRepo?: string;
    body?: string;
    user?: string;
  }): Promise<FakePull>;
  /** Adds a comment, as a user would. */
  addComment(issue: number, body: string, user?: string): FakeComment;
  /** A file at a ref of the repository. */
  readFile(ref: string, path: string): Promise<string | undefined>;
  /** Changes what `enablePullRequestAutoMerge` does from now on. */
  setAutoMerge(mode: AutoMergeMode): void;
  /** Injects more failures from now on. */
  addFailures(more: readonly FakeFailure[]): void;
  /**
   * Holds the next calls matching `method` and `path` until `count` of them
   * wait (or `timeoutMs` passes), then lets them all go at once: writers
   * that read the same state are made to race. Once only.
   */
  gate(input: { method: string; path: RegExp; count: number; timeoutMs: number }): void;
  /** Calls matching a method and a path pattern. */
  callsTo(method: string, path: RegExp): RecordedCall[];
  close(): Promise<void>;
}

/** A route's answer: status, JSON body and, for a page of a list, its `Link` header. */
type Reply = [number, unknown] | [number, unknown, Record<string, string>];

type Handler = (
  match: RegExpExecArray,
  body: unknown,
  query: URLSearchParams,
  accept: string,
) => Reply | Promise<Reply>;

/** A body sent as it is (the contents API's raw media type), not as JSON. */
class RawText {
  constructor(readonly text: string) {}
}

/** The contents API's answer for a file: JSON with base64 content, or the raw text when asked for it. */
function fileAnswer(accept: string, path: string, text: string, sha: string): Reply {
  if (/\.raw\b/.test(accept))
    return [200, new RawText(text), { "content-type": "application/vnd.github.raw; charset=utf-8" }];
  return [
    200,
    {
      type: "file",
      encoding: "base64",
      content: Buffer.from(text).toString("base64"),
      sha,
      size: Buffer.byteLength(text),
      path,
    },
  ];
}

class Mutex {
  #tail: Promise<unknown> = Promise.resolve();
  run<T>(job: () => Promise<T>): Promise<T> {
    const next = this.#tail.then(job, job);
    this.#tail = next.catch(() => undefined);
    return next;
  }
}

function b64url(text: string): Buffer {
  return Buffer.from(text.replace(/-/g, "+").replace(/_/g, "/"), "base64");
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** Starts the fake on 127.0.0.1, port 0. */
export async function startFakeGitHub(options: FakeGitHubOptions): Promise<FakeGitHub> {
  const owner = options.owner ?? "acme";
  const repoName = options.repo ?? "models";
  const full = `${owner}/${repoName}`;
  const dir = options.repoDir;
  const installationId = options.installationId ?? 4242;
  const permissions = options.permissions ?? {};
  const commentAuthor = options.commentAuthor ?? "meta-controller[bot]";
  const failures = (options.failures ?? []).map((f) => ({ ...f, left: f.times }));
  let autoMergeMode: AutoMergeMode = options.autoMerge ?? "merge";
  const gitLock = new Mutex();
  const tokens = new Set<string>();
  let nextNumber = 1;
  let nextId = 1000;
  let origin = "";
  const started = Date.now();

  let gate:
    { method: string; path: RegExp; count: number; waiting: (() => void)[]; release: () => void } | undefined;
  const state = {
    calls: [] as RecordedCall[],
    unexpected: [] as RecordedCall[],
    pulls: [] as FakePull[],
    issues: [] as FakeIssue[],
    comments: [] as FakeComment[],
    reactions: [] as { comment: number; content: string }[],
    issueReactions: [] as { issue: number; content: string; user: string }[],
    deployments: [] as FakeDeployment[],
    dispatches: [] as { workflow: string; ref: string; inputs: unknown }[],
  };

  const sha = (ref: string) => gitLock.run(() => git(dir, ["rev-parse", ref]));
  const branchExists = async (branch: string) => {
    try {
      await git(dir, ["rev-parse", "--verify", "-q", `refs/heads/${branch}`]);
      return true;
    } catch {
      return false;
    }
  };

  const blobOf = async (ref: string, path: string): Promise<string | undefined> => {
    try {
      return await git(dir, ["rev-parse", "--verify", "-q", `${ref}:${path}`]);
    } catch {
      return undefined;
    }
  };
  type Contents =
    | { type: "file"; text: string; sha: string }
    | { type: "dir"; entries: { type: string; name: string; path: string; sha: string; size: number }[] };
  // Callers hold the git lock.
  const readContents = async (ref: string, path: string): Promise<Contents | undefined> => {
    const object = await blobOf(ref, path);
    if (object === undefined) return undefined;
    const kind = await git(dir, ["cat-file", "-t", object]);
    if (kind === "blob") {
      const text = await showFile(dir, ref, path);
      return text === undefined ? undefined : { type: "file", text, sha: object };
    }
    const listing = await git(dir, ["ls-tree", "-l", object]);
    const entries = listing
      .split("\n")
      .filter(Boolean)
      .map((line) => {
        const [meta = "", name = ""] = line.split("\t");
        const [, type, sha = "", size] = meta.split(/\s+/);
        return {
          type: type === "tree" ? "dir" : "file",
          name,
          path: `${path}/${name}`,
          sha,
          size: size === "-" ? 0 : Number(size),
        };
      });
    return { type: "dir", entries };
  };

  const pullJson = async (p: FakePull) => {
    const headSha =
      p.headRepo === full && (await branchExists(p.head))
        ? await sha(`refs/heads/${p.head}`)
        : "0".repeat(40);
    return {
      number: p.number,
      node_id: `PR_${p.number}`,
      html_url: `${origin}/${full}/pull/${p.number}`,
      state: p.state,
      merged: p.merged,
      merged_at: p.merged ? new Date(0).toISOString() : null,
      title: p.title,
      body: p.body,
      labels: p.labels.map((name) => ({ name })),
      head: { ref: p.head, sha: headSha, repo: { full_name: p.headRepo } },
      user: { login: p.user, type: p.user.endsWith("[bot]") ? "Bot" : "User" },
      base: { ref: p.base, repo: { full_name: full } },
    };
  };
  const commentJson = (c: FakeComment) => ({
    id: c.id,
    body: c.body,
    html_url: `${origin}/${full}/issues/${c.issue}#issuecomment-${c.id}`,
    user: { login: c.user },
  });

  const mergePull = async (p: FakePull): Promise<boolean> => {
    if (p.state !== "open") return false;
    const commit = await gitLock.run(() => squashMerge(dir, p.base, p.head, `${p.title} (#${p.number})`));
    if (commit === undefined) return false;
    p.state = "closed";
    p.merged = true;
    p.mergeCommit = commit;
    return true;
  };

  /**
   * One page of a list as GitHub pages it: `per_page` (default 30, at most
   * 100) and `page`, with a `Link` header naming the next and last pages.
   */
  const paged = (items: readonly unknown[], match: RegExpExecArray, query: URLSearchParams): Reply => {
    const perPage = Math.min(Math.max(Number(query.get("per_page") ?? 30) || 30, 1), 100);
    const page = Math.max(Number(query.get("page") ?? 1) || 1, 1);
    const lastPage = Math.max(Math.ceil(items.length / perPage), 1);
    const link = (n: number, rel: string) => {
      const q = new URLSearchParams(query);
      q.set("page", String(n));
      return `<${origin}/api/v3${match[0]}?${q.toString()}>; rel="${rel}"`;
    };
    const links = page < lastPage ? [link(page + 1, "next"), link(lastPage, "last")] : [];
    const slice = items.slice((page - 1) * perPage, page * perPage);
    return [200, slice, links.length > 0 ? { link: links.join(", ") } : {}];
  };

  const repoPath = `/repos/${owner}/${repoName}`;
  const R = (pattern: string) => new RegExp(`^${pattern.replace("{repo}", repoPath.replace(/\//g, "\\/"))}$`);
  const routes: [string, RegExp, Handler][] = [
    [
      "POST",
      /^\/app\/installations\/(\d+)\/access_tokens$/,
      (m) => {
        if (Number(m[1]) !== installationId) return [404, { message: "Not Found" }];
        const token = `ghs_fake_${tokens.size + 1}`;
        tokens.add(token);
        return [201, { token, expires_at: new Date(Date.now() + 3600_000).toISOString(), permissions: {} }];
      },
    ],
    ["GET", R("{repo}/installation"), () => [200, { id: installationId, app_id: 1 }]],
    ["GET", /^\/app$/, () => [200, { id: 1, slug: "meta-controller", name: "Meta-Controller" }]],
    [
      "GET",
      R("{repo}"),
      () => [
        200,
        { full_name: full, default_branch: "main", allow_auto_merge: autoMergeMode !== "not_allowed" },
      ],
    ],
    [
      "GET",
      R("{repo}/collaborators/([^/]+)/permission"),
      (m) => {
        const role = permissions[decodeURIComponent(m[1]!)];
        if (!role) return [404, { message: "Not a collaborator" }];
        const permission = role === "maintain" ? "write" : role === "triage" ? "read" : role;
        return [200, { permission, role_name: role, user: { login: m[1] } }];
      },
    ],
    [
      "GET",
      R("{repo}/contents/(.+)"),
      async (m, _b, q, accept) => {
        const ref = q.get("ref") ?? "main";
        const path = decodeURIComponent(m[1]!).replace(/\/+$/, "");
        const found = await gitLock.run(() => readContents(ref, path));
        if (found === undefined) return [404, { message: "Not Found" }];
        if (found.type === "dir") return [200, found.entries];
        return fileAnswer(accept, path, found.text, found.sha);
      },
    ],
    [
      // The organisation's `.github` repository, where Probot apps find
      // organisation-wide settings: its files are `organizationFiles`.
      "GET",
      new RegExp(`^/repos/${owner}/\\.github/contents/(.+)$`),
      (m, _b, _q, accept) => {
        const path = decodeURIComponent(m[1]!);
        const text = options.organizationFiles?.[path];
        if (text === undefined) return [404, { message: "Not Found" }];
        return fileAnswer(accept, path, text, createHash("sha1").update(text).digest("hex"));
      },
    ],
    [
      "PUT",
      R("{repo}/contents/(.+)"),
      async (m, body) => {
        const b = body as { message: string; content: string; sha?: string; branch?: string };
        const path = decodeURIComponent(m[1]!);
        const branch = b.branch ?? "main";
        const text = Buffer.from(b.content, "base64").toString("utf8");
        // Check and commit under one lock, as GitHub does: two writers with
        // the same sha cannot both win.
        return gitLock.run(async (): Promise<[number, unknown]> => {
          if (!(await branchExists(branch))) return [404, { message: `Branch ${branch} not found` }];
          const current = await blobOf(`refs/heads/${branch}`, path);
          if (current !== undefined && b.sha === undefined)
            return [422, { message: `Invalid request.\n\n"sha" wasn't supplied.` }];
          if (current !== undefined && current !== b.sha)
            return [409, { message: `${path} does not match ${b.sha}` }];
          if (current === undefined && b.sha !== undefined)
            return [409, { message: `${path} does not exist on ${branch}; sha ${b.sha} is stale` }];
          const commit = await commitFile(dir, branch, path, text, b.message);
          const blob = await git(dir, ["rev-parse", `${commit}:${path}`]);
          return [
            current === undefined ? 201 : 200,
            { commit: { sha: commit }, content: { path, sha: blob } },
          ];
        });
      },
    ],
    [
      "GET",
      R("{repo}/git/ref/heads/(.+)"),
      async (m) => {
        const branch = decodeURIComponent(m[1]!);
        if (!(await gitLock.run(() => branchExists(branch)))) return [404, { message: "Not Found" }];
        return [
          200,
          { ref: `refs/heads/${branch}`, object: { sha: await sha(`refs/heads/${branch}`), type: "commit" } },
        ];
      },
    ],
    [
      // Only what an orphan commit needs: blobs given inline by content, no base tree.
      "POST",
      R("{repo}/git/trees"),
      async (_m, body) => {
        const b = body as {
          base_tree?: string;
          tree?: { path: string; mode: string; type: string; content?: string }[];
        };
        if (
          b.base_tree !== undefined ||
          !Array.isArray(b.tree) ||
          b.tree.some((e) => e.content === undefined)
        )
          return [422, { message: "the fake builds trees from inline content only" }];
        const tree = await gitLock.run(async () => {
          const lines: string[] = [];
          for (const entry of b.tree!) {
            if (entry.path.includes("/") || entry.type !== "blob" || entry.mode !== "100644")
              throw new Error(`the fake takes top-level files only, not ${entry.path}`);
            const blob = await git(dir, ["hash-object", "-w", "--stdin"], { input: entry.content! });
            lines.push(`100644 blob ${blob}\t${entry.path}`);
          }
          return git(dir, ["mktree"], { input: `${lines.join("\n")}\n` });
        });
        return [201, { sha: tree }];
      },
    ],
    [
      "POST",
      R("{repo}/git/commits"),
      async (_m, body) => {
        const b = body as { message: string; tree: string; parents?: string[] };
        const commit = await gitLock.run(() =>
          git(dir, ["commit-tree", b.tree, ...(b.parents ?? []).flatMap((p) => ["-p", p]), "-m", b.message]),
        );
        return [201, { sha: commit, tree: { sha: b.tree } }];
      },
    ],
    [
      "POST",
      R("{repo}/git/refs"),
      async (_m, body) => {
        const b = body as { ref: string; sha: string };
        const created = await gitLock.run(async () => {
          if (await branchExists(b.ref.replace(/^refs\/heads\//, ""))) return false;
          await git(dir, ["update-ref", b.ref, b.sha, ""]);
          return true;
        });
        if (!created) return [422, { message: "Reference already exists" }];
        return [201, { ref: b.ref, object: { sha: b.sha } }];
      },
    ],
    [
      "GET",
      R("{repo}/commits"),
      async (_m, _b, q) => {
        const ref = q.get("sha") ?? "main";
        const path = q.get("path");
        const limit = q.get("per_page") ?? "30";
        const out = await gitLock.run(() =>
          git(dir, ["log", "--format=%H%x09%cI%x09%s", "-n", limit, ref, ...(path ? ["--", path] : [])]),
        );
        const commits = out
          .split("\n")
          .filter(Boolean)
          .map((line) => {
            const [s, date, ...msg] = line.split("\t");
            return { sha: s, commit: { message: msg.join("\t"), committer: { date } } };
          });
        return [200, commits];
      },
    ],
    [
      "GET",
      R("{repo}/commits/([0-9a-f]+)/pulls"),
      (m) => [200, state.pulls.filter((p) => p.mergeCommit === m[1]).map((p) => ({ number: p.number }))],
    ],
    [
      "GET",
      R("{repo}/pulls/(\\d+)"),
      async (m) => {
        const p = state.pulls.find((x) => x.number === Number(m[1]));
        return p ? [200, await pullJson(p)] : [404, { message: "Not Found" }];
      },
    ],
    [
      "GET",
      R("{repo}/pulls"),
      async (_m, _b, q) => {
        const head = q.get("head");
        const wanted = q.get("state") ?? "open";
        const list = state.pulls.filter(
          (p) =>
            (wanted === "all" || p.state === wanted) &&
            (!head || `${p.headRepo.split("/")[0]}:${p.head}` === head),
        );
        return [200, await Promise.all(list.map(pullJson))];
      },
    ],
    [
      "POST",
      R("{repo}/pulls"),
      async (_m, body) => {
        const b = body as { head: string; base: string; title: string; body: string };
        if (!(await gitLock.run(() => branchExists(b.head))))
          return [422, { message: `head ${b.head} does not exist` }];
        if (state.pulls.some((p) => p.head === b.head && p.state === "open")) {
          return [422, { message: `A pull request already exists for ${owner}:${b.head}.` }];
        }
        const p: FakePull = {
          number: nextNumber++,
          title: b.title,
          body: b.body,
          head: b.head,
          headRepo: full,
          base: b.base,
          state: "open",
          merged: false,
          mergeCommit: null,
          labels: [],
          autoMerge: null,
          user: "meta-controller[bot]",
        };
        state.pulls.push(p);
        return [201, await pullJson(p)];
      },
    ],
    [
      "PATCH",
      R("{repo}/pulls/(\\d+)"),
      async (m, body) => {
        const p = state.pulls.find((x) => x.number === Number(m[1]));
        if (!p) return [404, { message: "Not Found" }];
        const b = body as { state?: string };
        if (b.state === "closed" && p.state === "open") p.state = "closed";
        return [200, await pullJson(p)];
      },
    ],
    [
      "GET",
      R("{repo}/issues/(\\d+)/reactions"),
      (m, _b, q) =>
        paged(
          state.issueReactions
            .filter((r) => r.issue === Number(m[1]))
            .map((r, i) => ({ id: i + 1, content: r.content, user: { login: r.user } })),
          m,
          q,
        ),
    ],
    [
      "PUT",
      R("{repo}/pulls/(\\d+)/merge"),
      async (m) => {
        const p = state.pulls.find((x) => x.number === Number(m[1]));
        if (!p) return [404, { message: "Not Found" }];
        if (!(await mergePull(p))) return [405, { message: "Pull Request is not mergeable" }];
        return [200, { merged: true, sha: p.mergeCommit, message: "Pull Request successfully merged" }];
      },
    ],
    [
      "POST",
      R("{repo}/issues/(\\d+)/labels"),
      (m, body) => {
        const n = Number(m[1]);
        const target = state.pulls.find((p) => p.number === n) ?? state.issues.find((i) => i.number === n);
        if (!target) return [404, { message: "Not Found" }];
        for (const l of (body as { labels: string[] }).labels)
          if (!target.labels.includes(l)) target.labels.push(l);
        return [200, target.labels.map((name) => ({ name }))];
      },
    ],
    [
      "POST",
      R("{repo}/issues/comments/(\\d+)/reactions"),
      (m, body) => {
        state.reactions.push({ comment: Number(m[1]), content: (body as { content: string }).content });
        return [201, { id: nextId++, content: (body as { content: string }).content }];
      },
    ],
    [
      "GET",
      R("{repo}/issues/(\\d+)/comments"),
      (m, _b, q) => paged(state.comments.filter((c) => c.issue === Number(m[1])).map(commentJson), m, q),
    ],
    [
      "POST",
      R("{repo}/issues/(\\d+)/comments"),
      (m, body) => {
        const c = {
          id: nextId++,
          issue: Number(m[1]),
          body: (body as { body: string }).body,
          user: commentAuthor,
        };
        state.comments.push(c);
        return [201, commentJson(c)];
      },
    ],
    [
      "PATCH",
      R("{repo}/issues/comments/(\\d+)"),
      (m, body) => {
        const c = state.comments.find((x) => x.id === Number(m[1]));
        if (!c) return [404, { message: "Not Found" }];
        c.body = (body as { body: string }).body;
        return [200, commentJson(c)];
      },
    ],
    [
      "GET",
      R("{repo}/issues"),
      (m, _b, q) => {
        const label = q.get("labels");
        const list = state.issues.filter((i) => i.state === "open" && (!label || i.labels.includes(label)));
        return paged(
          list.map((i) => ({ number: i.number, title: i.title, labels: i.labels.map((name) => ({ name })) })),
          m,
          q,
        );
      },
    ],
    [
      "POST",
      R("{repo}/issues"),
      (_m, body) => {
        const b = body as { title: string; body: string; labels?: string[] };
        const issue: FakeIssue = {
          number: nextNumber++,
          title: b.title,
          body: b.body,
          labels: b.labels ?? [],
          state: "open",
        };
        state.issues.push(issue);
        return [201, { number: issue.number, title: issue.title }];
      },
    ],
    [
      "POST",
      R("{repo}/deployments"),
      (_m, body) => {
        const b = body as { ref: string; environment: string; description: string; payload: unknown };
        const d: FakeDeployment = {
          id: nextId++,
          ref: b.ref,
          environment: b.environment,
          description: b.description,
          payload: b.payload,
          statuses: [],
        };
        state.deployments.push(d);
        return [201, { id: d.id, ref: d.ref, environment: d.environment, payload: d.payload }];
      },
    ],
    [
      "GET",
      R("{repo}/deployments"),
      (_m, _b, q) => {
        const env = q.get("environment");
        const list = state.deployments.filter((d) => !env || d.environment === env).reverse();
        return [
          200,
          list.map((d) => ({ id: d.id, ref: d.ref, environment: d.environment, payload: d.payload })),
        ];
      },
    ],
    [
      "POST",
      R("{repo}/deployments/(\\d+)/statuses"),
      (m, body) => {
        const d = state.deployments.find((x) => x.id === Number(m[1]));
        if (!d) return [404, { message: "Not Found" }];
        d.statuses.push((body as { state: string }).state);
        return [201, { id: nextId++, state: (body as { state: string }).state }];
      },
    ],
    [
      "POST",
      R("{repo}/actions/workflows/([^/]+)/dispatches"),
      (m, body) => {
        const b = body as { ref: string; inputs: unknown };
        state.dispatches.push({ workflow: decodeURIComponent(m[1]!), ref: b.ref, inputs: b.inputs });
        return [204, null];
      },
    ],
  ];

  const graphql = async (body: unknown): Promise<[number, unknown]> => {
    const b = body as { query: string; variables: { pullRequestId: string; mergeMethod: string } };
    if (!/enablePullRequestAutoMerge/.test(b.query)) return [400, { message: "unsupported query" }];
    const p = state.pulls.find((x) => `PR_${x.number}` === b.variables.pullRequestId);
    if (!p)
      return [200, { data: null, errors: [{ type: "NOT_FOUND", message: "Could not resolve to a node" }] }];
    const mode = autoMergeMode;
    if (mode === "clean_status") {
      return [
        200,
        {
          data: { enablePullRequestAutoMerge: null },
          errors: [{ type: "UNPROCESSABLE", message: "Pull request Pull request is in clean status" }],
        },
      ];
    }
    if (mode === "not_allowed") {
      return [
        200,
        {
          data: { enablePullRequestAutoMerge: null },
          errors: [
            { type: "UNPROCESSABLE", message: "Pull request Auto merge is not allowed for this repository" },
          ],
        },
      ];
    }
    p.autoMerge = b.variables.mergeMethod;
    // In `merge` mode the checks of the fake pass at once, so auto-merge
    // merges right away; in `queue` mode they never finish.
    if (mode === "merge") await mergePull(p);
    return [200, { data: { enablePullRequestAutoMerge: { pullRequest: { number: p.number } } } }];
  };

  const authorized = (req: IncomingMessage, path: string): boolean => {
    const auth = req.headers.authorization ?? "";
    if (path === "/app" || path.startsWith("/app/")) {
      const jwt = auth.replace(/^(bearer|Bearer) /, "");
      const [h, p, s] = jwt.split(".");
      if (!h || !p || !s) return false;
      if (!options.appPublicKey) return true;
      return verify("RSA-SHA256", Buffer.from(`${h}.${p}`), options.appPublicKey, b64url(s));
    }
    if (path.endsWith("/installation")) return /^(bearer|Bearer) /.test(auth);
    const token = auth.replace(/^(token|bearer|Bearer) /, "");
    return tokens.has(token);
  };

  const server = createServer((req, res: ServerResponse) => {
    void (async () => {
      const arrived = Date.now();
      const raw = await readBody(req);
      const url = new URL(req.url ?? "/", "http://fake");
      const method = req.method ?? "GET";
      let body: unknown = null;
      try {
        body = raw ? (JSON.parse(raw) as unknown) : null;
      } catch {
        body = raw;
      }
      const path = decodeURIComponent(url.pathname).replace(/^\/api\/v3/, "");
      const record = (status: number, unexpected = false) => {
        const call: RecordedCall = {
          method,
          path: `${path}${url.search}`,
          status,
          body,
          at: arrived - started,
          durationMs: 0,
        };
        state.calls.push(call);
        if (unexpected) state.unexpected.push(call);
        last = call;
      };
      let last: RecordedCall | undefined;
      const send = async (status: number, payload: unknown, headers: Record<string, string> = {}) => {
        if (options.latencyMs) await new Promise((r) => setTimeout(r, options.latencyMs));
        res.writeHead(status, { "content-type": "application/json", ...headers });
        if (payload instanceof RawText) res.end(payload.text);
        else res.end(payload === null ? "" : JSON.stringify(payload));
        if (last) last.durationMs = Date.now() - arrived;
      };
      const held = gate;
      if (held !== undefined && held.method === method && held.path.test(path)) {
        await new Promise<void>((resolve) => {
          held.waiting.push(resolve);
          if (held.waiting.length >= held.count) held.release();
        });
      }
      const failure = failures.find((f) => f.left > 0 && f.method === method && f.path.test(path));
      if (failure) {
        failure.left--;
        record(failure.status);
        await send(
          failure.status,
          { message: failure.message ?? `injected ${failure.status}` },
          { ...failure.headers },
        );
        return;
      }
      if (url.pathname === "/api/graphql" && method === "POST") {
        if (!authorized(req, path)) {
          record(401, true);
          await send(401, { message: "Bad credentials" });
          return;
        }
        const [status, payload] = await graphql(body);
        record(status);
        await send(status, payload);
        return;
      }
      for (const [m, pattern, handler] of routes) {
        const match = m === method ? pattern.exec(path) : null;
        if (!match) continue;
        if (!authorized(req, path)) {
          record(401, true);
          await send(401, { message: "Bad credentials" });
          return;
        }
        const accept = String(req.headers.accept ?? "");
        const [status, payload, headers] = await handler(match, body, url.searchParams, accept);
        record(status);
        await send(status, payload, headers);
        return;
      }
      record(404, true);
      await send(404, { message: `fake GitHub does not expect ${method} ${path}` });
    })().catch((error: unknown) => {
      state.unexpected.push({
        method: req.method ?? "",
        path: req.url ?? "",
        status: 500,
        body: String(error),
        at: Date.now() - started,
        durationMs: 0,
      });
      if (!res.headersSent) res.writeHead(500).end(JSON.stringify({ message: String(error) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
  const watch = watchUnexpectedCalls(origin, state.unexpected);

  return {
    url: origin,
    apiUrl: `${origin}/api/v3`,
    startedAt: started,
    ...state,
    addPull(input) {
      const p: FakePull = {
        number: nextNumber++,
        title: input.title,
        body: input.body ?? "",
        head: input.head,
        headRepo: input.headRepo ?? full,
        base: "main",
        state: "open",
        merged: false,
        mergeCommit: null,
        labels: [],
        autoMerge: null,
        user: input.user ?? "octocat",
      };
      state.pulls.push(p);
      return Promise.resolve(p);
    },
    addComment(issue, body, user = "octocat") {
      const c = { id: nextId++, issue, body, user };
      state.comments.push(c);
      return c;
    },
    setAutoMerge(mode) {
      autoMergeMode = mode;
    },
    addFailures(more) {
      failures.push(...more.map((f) => ({ ...f, left: f.times })));
    },
    gate(input) {
      const waiting: (() => void)[] = [];
      const timer = setTimeout(() => release(), input.timeoutMs);
      const release = () => {
        clearTimeout(timer);
        gate = undefined;
        for (const go of waiting) go();
      };
      gate = { ...input, waiting, release };
    },
    readFile: (ref, path) => gitLock.run(() => showFile(dir, ref, path)),
    callsTo: (method, path) => state.calls.filter((c) => c.method === method && path.test(c.path)),
    close: () =>
      new Promise<void>((resolve) => {
        watch.closed();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Signs a webhook body the way GitHub does (`X-Hub-Signature-256`). */
export function signWebhook(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** Delivers a webhook to a Probot server; returns the HTTP status. */
export async function deliverWebhook(
  url: string,
  secret: string,
  event: string,
  payload: unknown,
  signature?: string,
): Promise<number> {
  const body = JSON.stringify(payload);
  const res = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": event,
      "x-github-delivery": createHash("sha1").update(body).update(String(Math.random())).digest("hex"),
      "x-hub-signature-256": signature ?? signWebhook(secret, body),
    },
    body,
  });
  await res.arrayBuffer();
  return res.status;
}
